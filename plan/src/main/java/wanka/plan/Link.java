package wanka.plan;

/**
 * A network level seen from one device, for the alpha-beta model of §2.6: T = α + S/β per message step.
 *
 * @param bandwidth bytes/s one device can send (and at the same time receive) on this level: NVLink/HCCS per
 *                  device inside a node, the device's NIC share between nodes
 * @param latency   α, seconds per message step
 */
public record Link(double bandwidth, double latency) {
    public Link {
        if (!(bandwidth > 0) || !(latency >= 0)) throw new IllegalArgumentException("link bandwidth must be > 0 and latency >= 0");
    }
}
