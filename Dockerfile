FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# GNU gettext compiles the translation catalogues (locale/*/LC_MESSAGES/*.mo) at build time.
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs settings that pass the production checks; these values are build-time only.
RUN DEBUG=0 SECRET_KEY=build-only-key-not-used-at-runtime-0123456789abcdefghij ALLOWED_HOSTS=build \
    sh -c "python manage.py collectstatic --noinput && python manage.py compilemessages --ignore=.venv"

# /app/media exists and belongs to the app user, so the named volume mounted there (shared by web
# and worker for uploaded imports) starts with that owner and both can write and read it.
RUN useradd --create-home salesperf && mkdir -p /app/media && chown -R salesperf /app
USER salesperf
EXPOSE 8000
CMD ["gunicorn", "salesperf.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
