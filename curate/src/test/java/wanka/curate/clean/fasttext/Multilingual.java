package wanka.curate.clean.fasttext;

import java.util.List;

/** Short hand-written sentences in several languages and scripts, with their ISO codes, for the lid.176 tests. */
public final class Multilingual {
    private Multilingual() {
    }

    public static final List<String> LABELS = List.of("en", "en", "zh", "zh", "de", "fr", "es", "it", "pt", "nl", "sv", "fi",
            "ru", "el", "ja", "ko", "ar", "pl", "tr", "zh");

    public static final List<String> LINES = List.of(
            "The committee will meet again next week to discuss the budget for the new school.",
            "I would like to thank the rapporteur for her excellent work on this difficult report.",
            "委员会将在下周再次开会，讨论新学校的预算问题。",
            "我要感谢报告员在这份困难的报告上所做的出色工作。",
            "Der Ausschuss wird sich nächste Woche erneut treffen, um den Haushalt zu besprechen.",
            "Je voudrais remercier la rapporteuse pour son excellent travail sur ce rapport difficile.",
            "El comité volverá a reunirse la próxima semana para debatir el presupuesto de la escuela.",
            "Il comitato si riunirà di nuovo la prossima settimana per discutere il bilancio della scuola.",
            "O comité voltará a reunir-se na próxima semana para debater o orçamento da escola.",
            "De commissie komt volgende week opnieuw bijeen om de begroting van de school te bespreken.",
            "Utskottet kommer att sammanträda igen nästa vecka för att diskutera skolans budget.",
            "Valiokunta kokoontuu uudelleen ensi viikolla keskustelemaan koulun talousarviosta.",
            "Комитет снова соберётся на следующей неделе, чтобы обсудить бюджет новой школы.",
            "Η επιτροπή θα συνεδριάσει ξανά την επόμενη εβδομάδα για να συζητήσει τον προϋπολογισμό.",
            "委員会は来週もう一度会議を開き、新しい学校の予算について話し合います。",
            "위원회는 다음 주에 다시 모여 새 학교의 예산을 논의할 것입니다.",
            "ستجتمع اللجنة مرة أخرى الأسبوع المقبل لمناقشة ميزانية المدرسة الجديدة.",
            "Komisja zbierze się ponownie w przyszłym tygodniu, aby omówić budżet nowej szkoły.",
            "Komite gelecek hafta yeni okulun bütçesini görüşmek için yeniden toplanacak.",
            "学而时习之，不亦说乎？有朋自远方来，不亦乐乎？");
}
