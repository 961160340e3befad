package wanka.align.select;

import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.Clusterable;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.MersenneTwister;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * k-means++ (Apache Commons Math's {@link KMeansPlusPlusClusterer}, Euclidean distance) over L2-normalised embeddings,
 * run separately inside each category with {@code min(k, members)} clusters, so a cluster never mixes categories.
 * On unit vectors Euclidean distance orders like cosine distance ({@code |a−b|² = 2 − 2 cos}).
 *
 * @param clusters every cluster, numbered from 0 across categories
 * @param cluster  per point, its cluster id
 * @param distance per point, its distance to its cluster's centroid
 */
public record Clustering(List<Cluster> clusters, int[] cluster, double[] distance) {

    /** One cluster: its category, centroid and member points (positions in the input), nearest to the centroid first. */
    public record Cluster(int id, String category, double[] centroid, List<Integer> members) {
    }

    private record Point(int at, double[] v) implements Clusterable {
        @Override
        public double[] getPoint() {
            return v;
        }
    }

    public static Clustering kmeans(double[][] x, List<String> categories, int k, long seed) {
        if (k < 1) throw new IllegalArgumentException("--clusters must be >= 1, got " + k);
        Map<String, List<Point>> byCat = new LinkedHashMap<>();
        for (int i = 0; i < x.length; i++) byCat.computeIfAbsent(categories.get(i), c -> new ArrayList<>()).add(new Point(i, normalised(x[i])));
        List<Cluster> out = new ArrayList<>();
        int[] assign = new int[x.length];
        double[] dist = new double[x.length];
        EuclideanDistance d = new EuclideanDistance();
        for (var e : byCat.entrySet()) {
            List<Point> pts = e.getValue();
            int kc = Math.min(k, pts.size());
            List<CentroidCluster<Point>> found = new KMeansPlusPlusClusterer<Point>(kc, 300, d, new MersenneTwister(seed)).cluster(pts);
            for (CentroidCluster<Point> c : found) {
                if (c.getPoints().isEmpty()) continue;
                double[] centre = c.getCenter().getPoint();
                List<Point> members = new ArrayList<>(c.getPoints());
                members.sort(java.util.Comparator.comparingDouble(p -> d.compute(p.v(), centre)));
                int id = out.size();
                List<Integer> at = new ArrayList<>();
                for (Point p : members) {
                    assign[p.at()] = id;
                    dist[p.at()] = d.compute(p.v(), centre);
                    at.add(p.at());
                }
                out.add(new Cluster(id, e.getKey(), centre, at));
            }
        }
        return new Clustering(out, assign, dist);
    }

    static double[] normalised(double[] v) {
        double s = 0;
        for (double a : v) s += a * a;
        double n = Math.sqrt(s);
        double[] out = v.clone();
        if (n > 0) for (int i = 0; i < out.length; i++) out[i] /= n;
        return out;
    }
}
