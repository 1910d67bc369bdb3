"""The demo's typed texts in the languages its people write: each demo team works in one of the
offered languages (its manager and reps have it as their language), and part of what its
manager writes (one-to-one notes, feedback, action items, recognition) is in that language.

Translations are looked up by the English text after the random choice, so a seed gives the
same data as before, only in the team's language where a translation exists (the rest stays
English, as in a company whose managers switch between languages).
"""

from __future__ import annotations

# Team i works in DEMO_LANGUAGES[i % 6]: the first team (manager1) stays English.
DEMO_LANGUAGES = ("en", "el", "fr", "fa", "nb", "hu")

TRANSLATIONS: dict[str, dict[str, str]] = {
    # one-to-one notes shared with the rep
    "Went through last week's numbers and the plan for this week.": {
        "el": "Είδαμε τα νούμερα της προηγούμενης εβδομάδας και το πλάνο για αυτή την εβδομάδα.",
        "fr": "Revue des chiffres de la semaine dernière et du plan de cette semaine.",
        "fa": "ارقام هفته گذشته و برنامه این هفته را با هم مرور کردیم.",
        "nb": "Gikk gjennom tallene fra forrige uke og planen for denne uken.",
        "hu": "Átnéztük a múlt heti számokat és az e heti tervet.",
    },
    "Pipeline review: two deals need a next step; agreed on the proposal follow-ups.": {
        "el": "Ανασκόπηση pipeline: δύο ευκαιρίες χρειάζονται επόμενο βήμα· συμφωνήσαμε πώς θα συνεχίσουμε με τις προσφορές.",
        "fr": "Revue du pipeline : deux affaires ont besoin d’une prochaine étape ; relances des propositions convenues.",
        "fa": "مرور پایپ‌لاین: دو معامله به گام بعدی نیاز دارند؛ درباره پیگیری پیشنهادها توافق کردیم.",
        "nb": "Gjennomgang av pipeline: to salgsmuligheter trenger et neste steg; vi ble enige om oppfølgingen av tilbudene.",
        "hu": "Pipeline-áttekintés: két üzletnek kell következő lépés; megbeszéltük az ajánlatok utánkövetését.",
    },
    "Activity below target on calls; blocked two mornings for prospecting.": {
        "el": "Οι κλήσεις είναι κάτω από τον στόχο· κλείσαμε δύο πρωινά για αναζήτηση νέων πελατών.",
        "fr": "Appels en dessous de l’objectif ; deux matinées bloquées pour la prospection.",
        "fa": "تعداد تماس‌ها کمتر از هدف است؛ دو صبح را برای یافتن مشتریان تازه کنار گذاشتیم.",
        "nb": "Færre samtaler enn målet; satte av to formiddager til prospektering.",
        "hu": "A hívások elmaradnak a céltól; két délelőttöt lefoglaltunk új ügyfelek keresésére.",
    },
    "Good week: a large deal won. Talked about what made it work.": {
        "el": "Καλή εβδομάδα: κερδίσαμε μια μεγάλη συμφωνία. Συζητήσαμε τι έκανε τη διαφορά.",
        "fr": "Bonne semaine : une grosse affaire gagnée. Nous avons parlé de ce qui a fait la différence.",
        "fa": "هفته خوبی بود: یک معامله بزرگ بسته شد. درباره دلایل موفقیتش صحبت کردیم.",
        "nb": "God uke: en stor avtale vunnet. Snakket om hva som gjorde at den lyktes.",
        "hu": "Jó hét: megnyertünk egy nagy üzletet. Megbeszéltük, mi vezetett a sikerhez.",
    },
    "Forecast check: moved one deal to next quarter, committed the rest.": {
        "el": "Έλεγχος πρόβλεψης: μεταφέραμε μία ευκαιρία στο επόμενο τρίμηνο, οι υπόλοιπες επιβεβαιώθηκαν.",
        "fr": "Point prévision : une affaire décalée au trimestre prochain, les autres confirmées.",
        "fa": "بررسی پیش‌بینی: یک معامله به فصل بعد منتقل شد و بقیه قطعی شدند.",
        "nb": "Prognosesjekk: flyttet én avtale til neste kvartal, resten er bekreftet.",
        "hu": "Előrejelzés-ellenőrzés: egy üzletet a következő negyedévre tettünk, a többit vállaltuk.",
    },
    # the manager's private notes
    "Seems tired; ask about workload next time.": {
        "el": "Δείχνει κούραση· να ρωτήσω για τον φόρτο εργασίας την επόμενη φορά.",
        "fr": "Semble à bout de souffle ; parler de la charge de travail la prochaine fois.",
        "fa": "خسته به نظر می‌رسد؛ دفعه بعد درباره حجم کارش بپرسم.",
        "nb": "Virker sliten; spør om arbeidsmengden neste gang.",
        "hu": "Fáradtnak tűnik; legközelebb kérdezzem meg a terheléséről.",
    },
    "Ready for larger accounts in a quarter or two.": {
        "el": "Σε ένα-δύο τρίμηνα μπορεί να αναλάβει μεγαλύτερους πελάτες.",
        "fr": "Pourra prendre de plus gros comptes d’ici un ou deux trimestres.",
        "fa": "تا یکی دو فصل دیگر آماده کار با مشتریان بزرگ‌تر است.",
        "nb": "Klar for større kunder om et kvartal eller to.",
        "hu": "Egy-két negyedéven belül nagyobb ügyfeleket is vihet.",
    },
    "Overestimates late-stage deals: check the evidence with each one.": {
        "el": "Υπερεκτιμά τις ευκαιρίες στα τελικά στάδια: να ελέγχουμε τα στοιχεία για την καθεμία.",
        "fr": "Surestime les affaires en fin de cycle : vérifier les éléments concrets pour chacune.",
        "fa": "معاملات مراحل پایانی را زیادی خوش‌بینانه می‌بیند: شواهد هر کدام را با هم بررسی کنیم.",
        "nb": "Overvurderer avtaler i sene faser: sjekk grunnlaget for hver enkelt.",
        "hu": "Túlbecsüli a késői fázisú üzleteket: mindegyiknél nézzük meg, mire alapozza.",
    },
    # feedback: problem, consequence, how to improve
    "In the discovery call you presented the product before asking about the customer's problem.": {
        "el": "Στην κλήση διερεύνησης παρουσίασες το προϊόν πριν ρωτήσεις για το πρόβλημα του πελάτη.",
        "fr": "Lors de l’appel de découverte, tu as présenté le produit avant de demander au client quel était son problème.",
        "fa": "در تماس نیازسنجی، پیش از پرسیدن درباره مشکل مشتری، محصول را معرفی کردی.",
        "nb": "I behovsavklaringen presenterte du produktet før du spurte om kundens problem.",
        "hu": "Az igényfelmérő hívásban előbb mutattad be a terméket, mint hogy rákérdeztél volna az ügyfél problémájára.",
    },
    "The customer did not say what hurts, so the proposal will be generic and easy to compare on price.": {
        "el": "Ο πελάτης δεν είπε τι τον δυσκολεύει, οπότε η προσφορά θα είναι γενική και θα συγκρίνεται εύκολα μόνο στην τιμή.",
        "fr": "Le client n’a pas dit ce qui le gêne : la proposition sera générique et facile à comparer sur le prix.",
        "fa": "مشتری نگفت مشکلش چیست، پس پیشنهاد کلی می‌شود و به‌راحتی فقط با قیمت مقایسه می‌شود.",
        "nb": "Kunden sa ikke hva som er problemet, så tilbudet blir generelt og lett å sammenligne på pris.",
        "hu": (
            "Az ügyfél nem mondta el, mi fáj neki, így az "
            "ajánlat általános lesz, és könnyen csak az ár alapján hasonlítják össze."
        ),
    },
    "Open with three questions about their current process and let them talk for the first ten minutes.": {
        "el": "Ξεκίνα με τρεις ερωτήσεις για τη σημερινή τους διαδικασία και άφησέ τους να μιλήσουν τα πρώτα δέκα λεπτά.",
        "fr": "Commence par trois questions sur leur processus actuel et laisse-les parler pendant les dix premières minutes.",
        "fa": "با سه پرسش درباره روند فعلی کارشان شروع کن و بگذار ده دقیقه اول خودشان صحبت کنند.",
        "nb": "Start med tre spørsmål om dagens prosess, og la kunden snakke de første ti minuttene.",
        "hu": "Kezdd három kérdéssel a jelenlegi folyamatukról, és az első tíz percben hagyd őket beszélni.",
    },
    "You planned twelve calls last week and made five.": {
        "el": "Την προηγούμενη εβδομάδα προγραμμάτισες δώδεκα κλήσεις και έκανες πέντε.",
        "fr": "La semaine dernière, tu avais prévu douze appels et tu en as passé cinq.",
        "fa": "هفته گذشته دوازده تماس برنامه‌ریزی کردی و فقط پنج تماس گرفتی.",
        "nb": "Du planla tolv samtaler forrige uke og tok fem.",
        "hu": "Múlt héten tizenkét hívást terveztél, és ötöt bonyolítottál le.",
    },
    "Fewer conversations now means fewer offers next month and a quarter behind target.": {
        "el": "Λιγότερες συζητήσεις τώρα σημαίνουν λιγότερες προσφορές τον επόμενο μήνα και ένα τρίμηνο κάτω από τον στόχο.",
        "fr": "Moins de conversations aujourd’hui, c’est moins d’offres le mois prochain et un trimestre sous l’objectif.",
        "fa": "گفت‌وگوی کمتر در حال حاضر یعنی پیشنهاد کمتر در ماه بعد و فصلی پایین‌تر از هدف.",
        "nb": "Færre samtaler nå betyr færre tilbud neste måned og et kvartal under målet.",
        "hu": "Ha most kevesebbet beszélsz ügyfelekkel, jövő hónapban kevesebb lesz az ajánlat, és a negyedév elmarad a céltól.",
    },
    "Block two mornings a week for calls and plan them on Friday for the week after.": {
        "el": "Κλείσε δύο πρωινά την εβδομάδα για κλήσεις και προγραμμάτισέ τα την Παρασκευή για την επόμενη εβδομάδα.",
        "fr": "Bloque deux matinées par semaine pour les appels et planifie-les le vendredi pour la semaine suivante.",
        "fa": "دو صبح در هفته را برای تماس‌ها کنار بگذار و در آخرین روز کاری هفته، تماس‌های هفته بعد را برنامه‌ریزی کن.",
        "nb": "Sett av to formiddager i uken til samtaler, og planlegg dem på fredag for uken etter.",
        "hu": "Foglalj le heti két délelőttöt a hívásokra, és pénteken tervezd meg őket a következő hétre.",
    },
    # action items
    "Book discovery meetings with three new accounts": {
        "el": "Κλείσε συναντήσεις διερεύνησης με τρεις νέους πελάτες",
        "fr": "Planifier des rendez-vous de découverte avec trois nouveaux comptes",
        "fa": "تنظیم جلسه نیازسنجی با سه مشتری تازه",
        "nb": "Book behovsmøter med tre nye kunder",
        "hu": "Igényfelmérő találkozók egyeztetése három új ügyféllel",
    },
    "Add a dated next step to every open deal": {
        "el": "Πρόσθεσε επόμενο βήμα με ημερομηνία σε κάθε ανοιχτή ευκαιρία",
        "fr": "Ajouter une prochaine étape datée à chaque affaire ouverte",
        "fa": "افزودن گام بعدی تاریخ‌دار به هر معامله باز",
        "nb": "Legg inn et datert neste steg på alle åpne salgsmuligheter",
        "hu": "Dátummal ellátott következő lépés minden nyitott üzlethez",
    },
    "Send the proposal follow-ups agreed last week": {
        "el": "Στείλε τα μηνύματα για τις προσφορές που συμφωνήσαμε την προηγούμενη εβδομάδα",
        "fr": "Envoyer les relances de propositions convenues la semaine dernière",
        "fa": "ارسال پیگیری پیشنهادهایی که هفته گذشته توافق شد",
        "nb": "Send oppfølgingene av tilbudene vi ble enige om forrige uke",
        "hu": "A múlt héten megbeszélt ajánlat-utánkövetések elküldése",
    },
    "Ask two happy customers for a reference": {
        "el": "Ζήτησε σύσταση από δύο ικανοποιημένους πελάτες",
        "fr": "Demander une référence à deux clients satisfaits",
        "fa": "درخواست معرفی از دو مشتری راضی",
        "nb": "Be to fornøyde kunder om å være referanse",
        "hu": "Referencia kérése két elégedett ügyféltől",
    },
    "Call back the customer who complained": {
        "el": "Κάλεσε ξανά τον πελάτη που παραπονέθηκε",
        "fr": "Rappeler le client qui s’est plaint",
        "fa": "تماس دوباره با مشتری‌ای که شکایت کرده بود",
        "nb": "Ring tilbake kunden som klaget",
        "hu": "A panaszt tevő ügyfél visszahívása",
    },
    # recognition
    "Your pipeline is the cleanest in the team: every deal has a dated next step. Keep it up.": {
        "el": (
            "Το pipeline σου είναι το πιο τακτοποιημένο της ομάδας: κάθε ευκαιρία έχει επόμενο βήμα με ημερομηνία. Συνέχισε έτσι."
        ),
        "fr": "Ton pipeline est le plus propre de l’équipe : chaque affaire a une prochaine étape datée. Continue comme ça.",
        "fa": "پایپ‌لاین تو مرتب‌ترین پایپ‌لاین تیم است: هر معامله یک گام بعدی تاریخ‌دار دارد. همین‌طور ادامه بده.",
        "nb": "Pipelinen din er den ryddigste i teamet: hver avtale har et datert neste steg. Fortsett slik.",
        "hu": (
            "A te pipeline-od a legrendezettebb a csapatban: minden "
            "üzletnek van dátummal ellátott következő lépése. Csak így tovább!"
        ),
    },
    "You helped a teammate prepare a difficult negotiation and the deal closed. That is team play.": {
        "el": (
            "Βοήθησες έναν συνάδελφο να προετοιμάσει μια δύσκολη διαπραγμάτευση "
            "και η συμφωνία έκλεισε. Αυτό είναι ομαδικό πνεύμα."
        ),
        "fr": (
            "Tu as aidé un collègue à préparer une négociation difficile et l’affaire a été signée. C’est ça, l’esprit d’équipe."
        ),
        "fa": "به یکی از هم‌تیمی‌هایت برای آماده شدن در یک مذاکره سخت کمک کردی و معامله بسته شد. این یعنی کار تیمی.",
        "nb": "Du hjalp en kollega med å forberede en vanskelig forhandling, og avtalen ble signert. Det er lagspill.",
        "hu": "Segítettél egy kollégának felkészülni egy nehéz tárgyalásra, és az üzlet létrejött. Ez a csapatmunka.",
    },
}


def team_language(index: int) -> str:
    """The language the demo's ``index``-th team works in."""
    return DEMO_LANGUAGES[index % len(DEMO_LANGUAGES)]


def local(text: str, language: str) -> str:
    """``text`` as written in ``language`` when the demo has it so, else as it is."""
    return TRANSLATIONS.get(text, {}).get(language, text)
