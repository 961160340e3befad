package wanka.align.sft;

/** A dataset line that cannot become a training sample; the message says why (it is quarantined, not dropped). */
public final class BadSampleException extends Exception {
    public BadSampleException(String reason) {
        super(reason);
    }
}
