package org.mrf.scq.spark.train;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A graph configuration whose {@link #clone()} keeps what DL4J 1.0.0-M2.1's clone drops. DL4J Spark's
 * parameter-averaging worker builds its network from {@code configuration.clone()}, and that clone
 * <ul>
 *   <li>resets the iteration and epoch counters to 0: every averaging round would restart Adam's bias
 *   correction at step 0 and the epoch-based learning-rate schedule at epoch 0;</li>
 *   <li>re-creates every {@link MergeVertex} with the default merge axis 1: the U-Net's NHWC skip
 *   concatenations would join along the height instead of the channels.</li>
 * </ul>
 * {@link #during} swaps such a configuration into the master network for the duration of a Spark fit and
 * puts the original (with the counters the fit advanced) back afterwards, so checkpoints and saved models
 * hold a plain DL4J configuration.
 */
public class WorkerSafeConfiguration extends ComputationGraphConfiguration {
    private static final long serialVersionUID = 1L;

    public WorkerSafeConfiguration() {
    }

    static WorkerSafeConfiguration copyOf(ComputationGraphConfiguration c) {
        WorkerSafeConfiguration w = new WorkerSafeConfiguration();
        w.setVertices(c.getVertices());
        w.setVertexInputs(c.getVertexInputs());
        w.setTrainingWorkspaceMode(c.getTrainingWorkspaceMode());
        w.setInferenceWorkspaceMode(c.getInferenceWorkspaceMode());
        w.setCacheMode(c.getCacheMode());
        w.setDataType(c.getDataType());
        w.setValidateOutputLayerConfig(c.isValidateOutputLayerConfig());
        w.setNetworkInputs(c.getNetworkInputs());
        w.setNetworkOutputs(c.getNetworkOutputs());
        w.setBackpropType(c.getBackpropType());
        w.setTbpttFwdLength(c.getTbpttFwdLength());
        w.setTbpttBackLength(c.getTbpttBackLength());
        w.setDefaultConfiguration(c.getDefaultConfiguration());
        w.setIterationCount(c.getIterationCount());
        w.setEpochCount(c.getEpochCount());
        w.setTopologicalOrder(c.getTopologicalOrder());
        w.setTopologicalOrderStr(c.getTopologicalOrderStr());
        return w;
    }

    @Override
    public ComputationGraphConfiguration clone() {
        ComputationGraphConfiguration c = super.clone();
        c.setIterationCount(getIterationCount());
        c.setEpochCount(getEpochCount());
        for (Map.Entry<String, GraphVertex> e : getVertices().entrySet()) {
            if (e.getValue() instanceof MergeVertex m && c.getVertices().get(e.getKey()) instanceof MergeVertex copy) {
                copy.setMergeAxis(m.getMergeAxis());
                copy.setModified(m.isModified());
            }
        }
        return c;
    }

    private static final Field CONFIGURATION;

    static {
        try {
            CONFIGURATION = ComputationGraph.class.getDeclaredField("configuration");
            CONFIGURATION.setAccessible(true);
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static void set(ComputationGraph g, ComputationGraphConfiguration c) {
        try {
            CONFIGURATION.set(g, c);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot swap the graph configuration", e);
        }
    }

    /** Runs {@code body} with a worker-safe configuration in {@code g}; the counters it advances are kept. */
    static <T> T during(ComputationGraph g, Supplier<T> body) {
        ComputationGraphConfiguration original = g.getConfiguration();
        WorkerSafeConfiguration safe = copyOf(original);
        set(g, safe);
        try {
            return body.get();
        } finally {
            original.setIterationCount(safe.getIterationCount());
            original.setEpochCount(safe.getEpochCount());
            set(g, original);
        }
    }
}
