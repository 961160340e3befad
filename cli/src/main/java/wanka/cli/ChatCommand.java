package wanka.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.model.generate.Generator;
import wanka.tensor.CpuDevice;
import wanka.tokenizer.Tokenizer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Chat with an HF-format TeleChat2 model in the terminal (TeleChat2 chat format, streaming replies).",
                "Type a message and press Enter; /reset forgets the conversation, /exit or end-of-input quits."})
final class ChatCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "HF TeleChat2 model directory.")
    Path modelDir;

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "Tokenizer directory (default: the model directory).")
    Path tokenizerDir;

    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt.")
    String system;

    @Option(names = "--threads", description = "CPU threads (default: all cores).")
    Integer threads;

    @Mixin
    SamplingOptions sampling = new SamplingOptions();

    @Override
    public Integer call() throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (CpuDevice device = CpuDevice.withThreads(threads != null ? threads : Runtime.getRuntime().availableProcessors())) {
            TeleChat2 model = ModelIO.load(modelDir, device);
            Tokenizer tok = Corpora.loadTokenizer(tokenizerDir != null ? tokenizerDir : modelDir);
            int end = Chat.special(tok, "<_end>");
            Generator gen = new Generator(model);
            List<Chat.Turn> history = new ArrayList<>();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (true) {
                out.print("you> ");
                out.flush();
                String line = in.readLine();
                if (line == null || line.strip().equals("/exit")) break;
                if (line.strip().equals("/reset")) {
                    history.clear();
                    out.println("(conversation cleared)");
                    continue;
                }
                if (line.isBlank()) continue;
                int[] ids = Chat.prompt(tok, system, history, line);
                if (ids.length + sampling.maxNewTokens > model.config().seqLength() && !history.isEmpty()) {
                    history.removeFirst(); // keep within the model's context
                    ids = Chat.prompt(tok, system, history, line);
                }
                out.print("bot> ");
                StreamingDecoder stream = new StreamingDecoder(tok, out);
                Generator.Result r = gen.generate(ids, sampling.toConfig(Set.of(end)).withVocabLimit(tok.vocabSize()), id -> {
                    if (id != end) stream.accept(id);
                });
                out.println();
                history.add(new Chat.Turn(line, stream.text()));
                if (r.stopReason().equals("length")) out.println("(reply cut at --max-new-tokens " + sampling.maxNewTokens + ")");
            }
        }
        return 0;
    }
}
