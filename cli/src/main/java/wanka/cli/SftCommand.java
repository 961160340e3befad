package wanka.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import wanka.align.lora.LoraAdapters;
import wanka.align.lora.LoraConfig;
import wanka.align.sft.SftBatchSource;
import wanka.align.sft.SftBatches;
import wanka.align.sft.SftDataset;
import wanka.align.sft.SftEval;
import wanka.align.sft.SftObjective;
import wanka.align.sft.SftPacker;
import wanka.align.train.PostTrainOptions;
import wanka.align.train.PostTrainer;
import wanka.align.train.RandomState;
import wanka.model.ModelIO;
import wanka.model.ParamRole;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.Tokenizer;
import wanka.train.RunDirectory;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "sft", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Supervised fine-tuning on chat data: full fine-tuning, or LoRA adapters with --lora-rank.",
                "Data: JSONL lines in OpenAI {\"messages\": [...]}, Alpaca {\"instruction\", \"input\", \"output\"} or ShareGPT",
                "{\"conversations\": [...]} layout, rendered with TeleChat2's chat template; the loss is taken only on the assistant's tokens.",
                "Lines that cannot be trained on (no assistant turn, unknown role, longer than --seq, not JSON) are counted, written to",
                "<out>/quarantine.jsonl with file, line and reason, and left out.",
                "Writes <out>/metrics.jsonl and checkpoints <out>/checkpoints/step-N/ (with manifest.json). Full fine-tuning saves the model as",
                "an HF directory <out>/model; LoRA saves <out>/adapter (adapter_model.safetensors + adapter_config.json, PEFT's layout) and,",
                "with --merge, the merged model as <out>/model. <out>/model holds the tokenizer too, so 'wanka generate'/'chat' load it."},
        footer = {"", "Examples:",
                "  wanka sft --model runs/base/model --data chat.jsonl --out runs/sft --steps 200 --lr 2e-5",
                "  wanka sft --model runs/base/model --data alpaca.jsonl --out runs/lora --lora-rank 8 --lr 2e-4 --merge",
                "  wanka sft --model M --data train.jsonl --eval val.jsonl --pack --seq 512 --out runs/packed",
                "  wanka chat --model runs/sft/model"})
final class SftCommand implements Callable<Integer> {
    @Mixin
    PostTrainFlags flags = new PostTrainFlags();

    @Mixin
    LoraOptions loraOptions = new LoraOptions();

    @Option(names = "--merge", description = "With --lora-rank: also fold the adapters into the weights and save <out>/model.")
    boolean merge;

    @Option(names = "--pack", description = "Pack several samples into each row of --seq tokens (attention kept inside each sample).")
    boolean pack;

    @Option(names = "--eval", paramLabel = "FILE", description = "Held-out JSONL in the same layouts: its assistant-token loss is printed before and after training.")
    List<Path> eval = new java.util.ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PostTrainFlags.Start start = flags.start();
        TeleChat2Config cfg = start.cfg();
        int seq = start.seq();
        PostTrainOptions opts = start.options();
        LoraConfig lora = loraOptions.config(flags.seed);
        if (merge && lora == null) throw new IllegalArgumentException("--merge needs --lora-rank (full fine-tuning already saves the whole model)");
        Tokenizer tok = Corpora.loadTokenizer(flags.tokenizerDir());
        ChatTemplate template = Corpora.chatTemplate(tok, flags.tokenizerDir());
        try (RunDirectory run = flags.lock(); CpuDevice device = flags.device()) {
            SftDataset ds = SftDataset.load(flags.data, template, seq);
            QuarantineReport.print("data", ds.summary(), ds.quarantined(), flags.out);
            if (ds.samples().isEmpty()) throw new IllegalArgumentException("no usable samples in " + flags.data + "; see " + flags.out.resolve("quarantine.jsonl"));
            SftDataset evalSet = eval.isEmpty() ? null : SftDataset.load(eval, template, seq);
            int pad = tok.specials().pad().orElse(0);
            TeleChat2 model = ModelIO.load(flags.model, device);
            if (evalSet != null) System.err.printf("eval loss before: %.4f (%d samples)%n", SftEval.loss(model, evalSet.samples(), flags.batch, pad), evalSet.samples().size());
            SftBatchSource batches = pack ? new SftPacker(ds.samples(), flags.batch, seq, pad, flags.seed) : new SftBatches(ds.samples(), flags.batch, seq, pad, flags.seed);
            Map<String, Tensor> trainable;
            Map<String, ParamRole> roles;
            PostTrainer.Saver saver;
            LoraAdapters adapters = null;
            if (lora != null) {
                adapters = LoraOptions.attach(model, lora, device);
                trainable = adapters.parameters();
                roles = adapters.roles();
                LoraAdapters a = adapters;
                saver = dir -> a.save(dir, flags.model.toString());
            } else {
                trainable = model.parameters();
                roles = model.parameterRoles();
                saver = dir -> ModelIO.save(model, dir);
            }
            PostTrainer trainer = new PostTrainer(trainable, roles, new SftObjective(model, batches, opts.gradAccum()), opts, device, saver,
                    adapters != null ? adapters : RandomState.NONE);
            flags.resume(trainer);
            PostTrainer.StepLog last = trainer.run(flags.progress());
            if (evalSet != null) System.err.printf("eval loss after: %.4f%n", SftEval.loss(model, evalSet.samples(), flags.batch, pad));
            if (adapters != null) {
                LoraAdapters a = adapters;
                PostTrainFlags.writeDir(flags.out.resolve("adapter"), dir -> a.save(dir, flags.model.toString()));
                System.err.println("adapter saved to " + flags.out.resolve("adapter"));
            }
            if (adapters == null || merge) {
                TeleChat2 merged = adapters != null ? adapters.merge(device) : model;
                PostTrainFlags.writeDir(flags.out.resolve("model"), dir -> {
                    ModelIO.save(merged, dir);
                    Corpora.copyTokenizer(flags.tokenizerDir(), dir);
                });
                System.err.println((adapters != null ? "merged model" : "model") + " saved to " + flags.out.resolve("model"));
            }
            System.err.printf("done: final loss %.4f; metrics in %s%n", last.loss(), flags.out.resolve("metrics.jsonl"));
        }
        return 0;
    }

}
