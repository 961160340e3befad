package wanka.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import wanka.model.TeleChat2;
import wanka.model.generate.Generator;
import wanka.tensor.CpuDevice;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.Tokenizer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Chat with an HF-format TeleChat2 model in the terminal (TeleChat2 chat format, streaming replies).",
                "Type a message and press Enter; /reset forgets the conversation, /exit or end-of-input quits."})
final class ChatCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    InferenceOptions inference = new InferenceOptions();

    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt.")
    String system;

    @Mixin
    SamplingOptions sampling = new SamplingOptions();

    @Override
    public Integer call() throws Exception {
        sampling.check();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (CpuDevice device = inference.device()) {
            TeleChat2 model = inference.load(device);
            Tokenizer tok = inference.tokenizer();
            ChatTemplate template = ChatTemplate.telechat2(tok);
            int end = template.endId();
            Generator gen = new Generator(model);
            LengthWarning length = new LengthWarning(model.config(), spec.commandLine().getErr());
            List<ChatTemplate.Message> history = new ArrayList<>();
            if (system != null && !system.isBlank()) history.add(new ChatTemplate.Message(ChatTemplate.Role.SYSTEM, system));
            int kept = history.size(); // the system message is never dropped
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (true) {
                out.print("you> ");
                out.flush();
                String line = in.readLine();
                if (line == null || line.strip().equals("/exit")) break;
                if (line.strip().equals("/reset")) {
                    history.subList(kept, history.size()).clear();
                    out.println("(conversation cleared)");
                    continue;
                }
                if (line.isBlank()) continue;
                history.add(new ChatTemplate.Message(ChatTemplate.Role.USER, line));
                int[] ids = template.encode(history, true).ids();
                while (ids.length + sampling.maxNewTokens > model.config().seqLength() && history.size() > kept + 1) {
                    history.subList(kept, kept + 2).clear(); // forget the oldest exchange to stay within the context
                    ids = template.encode(history, true).ids();
                }
                out.print("bot> ");
                StreamingDecoder stream = new StreamingDecoder(tok, out);
                int prompt = ids.length, upTo = prompt + sampling.maxNewTokens;
                int[] produced = {0};
                length.at(prompt, upTo);
                Generator.Result r = gen.generate(ids, sampling.toConfig(Set.of(end)).withVocabLimit(tok.vocabSize()), id -> {
                    if (id != end) stream.accept(id);
                    length.at(prompt + ++produced[0], upTo);
                });
                out.println();
                history.add(new ChatTemplate.Message(ChatTemplate.Role.ASSISTANT, stream.text()));
                if (r.stopReason().equals("length")) out.println("(reply cut at --max-new-tokens " + sampling.maxNewTokens + ")");
            }
        }
        return 0;
    }
}
