package wanka.align.select;

/**
 * What selection did with one sample and why.
 *
 * @param cluster  its cluster id, or −1 without clustering (or when filtered out before it)
 * @param score    its value under the ranking scorer (NaN for a random ranking)
 * @param reason   one line: the filter that dropped it, or its rank and cluster position when kept
 */
public record Decision(long index, boolean kept, String reason, int cluster, double score) {
}
