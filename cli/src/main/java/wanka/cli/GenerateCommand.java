package wanka.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import wanka.model.TeleChat2;
import wanka.model.generate.GenerationConfig;
import wanka.model.generate.Generator;
import wanka.tensor.CpuDevice;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.Tokenizer;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Continue a prompt with an HF-format TeleChat2 model (KV cache, greedy or sampled), streaming the text.",
                "The prompt may be given as token ids and the generated ids printed, so any other implementation can be checked against this one."},
        footer = {"", "Examples:",
                "  wanka generate --model runs/quickstart/model --prompt 'The Commission'",
                "  wanka generate --model DIR --prompt-ids 1,4,100 --print-ids --max-new-tokens 20"})
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    InferenceOptions inference = new InferenceOptions();

    @Option(names = "--prompt", paramLabel = "TEXT", description = "Prompt text.")
    String prompt;

    @Option(names = "--prompt-ids", paramLabel = "IDS", split = ",", description = "Prompt as comma-separated token ids (no tokenizer needed).")
    int[] promptIds;

    @Option(names = "--chat", description = "Wrap the prompt in TeleChat2's chat format (<_user>…<_bot>).")
    boolean chat;

    @Option(names = "--print-ids", description = "Print the generated token ids (one line, comma-separated) instead of text.")
    boolean printIds;

    @Mixin
    SamplingOptions sampling = new SamplingOptions();

    @Override
    public Integer call() throws Exception {
        if ((prompt == null) == (promptIds == null)) throw new IllegalArgumentException("give exactly one of --prompt TEXT or --prompt-ids IDS");
        sampling.check();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (CpuDevice device = inference.device()) {
            TeleChat2 model = inference.load(device);
            Tokenizer tok = promptIds != null && printIds ? null : inference.tokenizer();
            int[] ids = promptIds != null ? promptIds : chat
                    ? ChatTemplate.telechat2(tok).encode(List.of(new ChatTemplate.Message(ChatTemplate.Role.USER, prompt)), true).ids()
                    : tok.encode(prompt);
            Set<Integer> stops = tok != null && tok.specials().eos().isPresent() ? Set.of(tok.specials().eos().getAsInt()) : Set.of(model.config().eosTokenId());
            GenerationConfig gc = sampling.toConfig(stops);
            if (tok != null) gc = gc.withVocabLimit(tok.vocabSize());
            StreamingDecoder stream = tok == null || printIds ? null : chat ? new StreamingDecoder(tok, out) : new StreamingDecoder(tok, out, ids);
            if (stream != null && !chat && prompt != null) out.print(prompt);
            PrintWriter err = spec.commandLine().getErr();
            LengthWarning length = new LengthWarning(model.config(), err);
            int upTo = ids.length + gc.maxNewTokens();
            length.at(ids.length, upTo);
            int[] produced = {0};
            Generator.Result r = new Generator(model).generate(ids, gc, id -> {
                if (printIds) {
                    out.print(produced[0] == 0 ? Integer.toString(id) : "," + id); // streamed: a killed run keeps what it printed
                    out.flush();
                } else if (stream != null) {
                    stream.accept(id);
                }
                length.at(ids.length + ++produced[0], upTo);
            });
            out.println();
            err.printf("[%d tokens, stop: %s, prefill %.2f s, %.1f tokens/s]%n", r.tokens().length, r.stopReason(), r.prefillSeconds(), r.decodeTokensPerSecond());
        }
        return 0;
    }
}
