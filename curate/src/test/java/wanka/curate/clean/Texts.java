package wanka.curate.clean;

import wanka.curate.pipeline.StepRun;
import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.Step;

/** Test helpers: hand-made documents and a one-step runner. */
final class Texts {
    private Texts() {
    }

    /** A clean English paragraph: 5 sentences, about 90 words, one line per sentence. */
    static final String CLEAN = String.join("\n",
            "The river that runs through the old town has been the centre of trade and daily life for many centuries.",
            "Merchants brought salt, grain and wool by boat, and they built the stone warehouses that still line the quay today.",
            "In the nineteenth century the railway arrived, and the river traffic slowly declined as goods moved by train instead.",
            "Today the warehouses have been turned into flats, small shops and a museum that tells the story of the harbour.",
            "Visitors who walk along the water in the evening can still see the iron rings where the barges were once tied up.");

    /** A clean Chinese paragraph of 5 sentences, about 150 Han characters, with full-width punctuation. */
    static final String CLEAN_ZH = String.join("\n",
            "这座城市位于长江下游，历史上一直是重要的商业和文化中心。",
            "每年春天，来自各地的游客都会到湖边散步，欣赏盛开的樱花和古老的石桥。",
            "当地的博物馆收藏了大量珍贵的文物，讲述了这里两千多年的发展历程。",
            "近年来，政府在保护老街区的同时，也建设了新的公园和图书馆，让居民的生活更加便利。",
            "到了夜晚，河边的灯光亮起来，老人们在广场上跳舞，孩子们在一旁玩耍。");

    /** A unique filler word for index {@code i} (letters only). */
    static String word(int i) {
        StringBuilder b = new StringBuilder("w");
        for (int k = i; ; k /= 26) {
            b.append((char) ('a' + k % 26));
            if (k < 26) break;
        }
        return b.toString();
    }

    static StepRun.Outcome run(Step step, String text) {
        try (StepRun r = new StepRun(step)) {
            return r.apply(new Document("t", text));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String dropReason(Step step, String text) {
        return run(step, text).dropReason();
    }
}
