package wanka.train.store;

import wanka.io.AtomicFiles;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Files of a checkpoint directory packed into one byte array, to travel as one message: each by its path relative to
 * the directory, in order (so a shard's data file can come before the index that declares it complete).
 */
record FileBundle(List<FileBundle.Item> items) {
    record Item(String path, byte[] data) {
    }

    FileBundle {
        items = List.copyOf(items);
    }

    static FileBundle empty() {
        return new FileBundle(List.of());
    }

    boolean isEmpty() {
        return items.isEmpty();
    }

    /** This bundle with {@code dir}'s files {@code paths} (relative) added, read now. */
    FileBundle with(Path dir, List<String> paths) throws IOException {
        List<Item> all = new ArrayList<>(items);
        for (String p : paths) all.add(new Item(p, Files.readAllBytes(dir.resolve(p))));
        return new FileBundle(all);
    }

    byte[] toBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(items.size());
            for (Item i : items) {
                out.writeUTF(i.path());
                out.writeInt(i.data().length);
                out.write(i.data());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen in memory", e);
        }
    }

    /** Parses a bundle; {@code source} names the sender in the error. */
    static FileBundle parse(byte[] bytes, String source) throws IOException {
        if (bytes.length == 0) return empty();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int n = in.readInt();
            List<Item> items = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String path = in.readUTF();
                if (path.startsWith("/") || path.contains("..")) throw new IOException(source + ": refusing a file outside the checkpoint: " + path);
                byte[] data = new byte[in.readInt()];
                in.readFully(data);
                items.add(new Item(path, data));
            }
            return new FileBundle(items);
        } catch (java.io.EOFException e) {
            throw new IOException(source + ": the files sent were cut short", e);
        }
    }

    /** Writes every file under {@code dir}, in order, each atomically. */
    void writeInto(Path dir) throws IOException {
        for (Item i : items) {
            Path f = dir.resolve(i.path());
            Files.createDirectories(f.getParent());
            AtomicFiles.write(f, i.data());
        }
    }
}
