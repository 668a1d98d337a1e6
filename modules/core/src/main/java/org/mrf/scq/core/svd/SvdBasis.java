package org.mrf.scq.core.svd;

import org.mrf.scq.core.util.MrfInputException;

import java.util.Arrays;

/**
 * The leading right singular vectors of a complex matrix D (rows x T), e.g. an MRF dictionary of
 * unit-energy entries: V (T x K, complex, orthonormal columns), the singular values (descending)
 * and the energy fractions they capture, relative to the exact total energy ||D||_F^2 (not to the
 * sum of the K computed values, so the fractions never reach 1 unless the K vectors hold all of D).
 *
 * <p>Storage is plain arrays so that it can be written as Parquet columns and rebuilt with
 * {@link #fromArrays}: V row-major (T x K) as float re/im, singular values as float, total energy as
 * double. A signal x (length T) projects to the K coefficients V^H x.
 */
public final class SvdBasis {
    /** The thresholds reported by the tools: 90%, 95%, 99%, 99.9%, 99.99%, 99.999%, 99.9999%. */
    public static final double[] STANDARD_ENERGIES = {0.90, 0.95, 0.99, 0.999, 0.9999, 0.99999, 0.999999};

    private final int timepoints;
    private final int rank;
    private final float[] vRe;
    private final float[] vIm;
    private final float[] singularValues;
    private final double totalEnergy;
    private final double[] cumulative; // cumulative[k] = energy fraction of the first k+1 vectors

    private SvdBasis(int timepoints, int rank, float[] vRe, float[] vIm, float[] singularValues, double totalEnergy) {
        this.timepoints = timepoints;
        this.rank = rank;
        this.vRe = vRe;
        this.vIm = vIm;
        this.singularValues = singularValues;
        this.totalEnergy = totalEnergy;
        this.cumulative = new double[rank];
        double acc = 0;
        for (int k = 0; k < rank; k++) {
            acc += (double) singularValues[k] * singularValues[k];
            cumulative[k] = totalEnergy > 0 ? Math.min(1.0, acc / totalEnergy) : 1.0;
        }
    }

    /**
     * Rebuilds a basis from its stored arrays (e.g. read from Parquet).
     *
     * @param vRe            V real parts, row-major (timepoints x rank)
     * @param vIm            V imaginary parts, same layout
     * @param singularValues descending, length rank
     * @param totalEnergy    ||D||_F^2 of the decomposed matrix
     */
    public static SvdBasis fromArrays(int timepoints, int rank, float[] vRe, float[] vIm, float[] singularValues,
                                      double totalEnergy) {
        String where = "SVD basis";
        if (timepoints < 1 || rank < 1) {
            throw new MrfInputException(where + ": timepoints (" + timepoints + ") and rank (" + rank
                    + ") must be positive; rebuild the basis from the dictionary.");
        }
        if (vRe == null || vIm == null || vRe.length != (long) timepoints * rank || vIm.length != vRe.length) {
            throw new MrfInputException(where + ": V must hold timepoints x rank = " + ((long) timepoints * rank)
                    + " values in each of re and im, got " + (vRe == null ? "null" : vRe.length) + " and "
                    + (vIm == null ? "null" : vIm.length) + "; the stored basis is incomplete, rebuild it.");
        }
        if (singularValues == null || singularValues.length != rank) {
            throw new MrfInputException(where + ": need " + rank + " singular values, got "
                    + (singularValues == null ? "null" : singularValues.length) + "; rebuild the basis.");
        }
        for (int k = 0; k < rank; k++) {
            if (!(singularValues[k] >= 0) || (k > 0 && singularValues[k] > singularValues[k - 1])) {
                throw new MrfInputException(where + ": singular value " + k + " (" + singularValues[k]
                        + ") is negative, not finite or out of descending order; rebuild the basis.");
            }
        }
        if (!(totalEnergy >= 0) || Double.isInfinite(totalEnergy)) {
            throw new MrfInputException(where + ": total energy " + totalEnergy + " is not a finite non-negative number.");
        }
        return new SvdBasis(timepoints, rank, vRe.clone(), vIm.clone(), singularValues.clone(), totalEnergy);
    }

    public int timepoints() { return timepoints; }

    /** K, the number of vectors held. */
    public int rank() { return rank; }

    public float singularValue(int k) { return singularValues[k]; }

    /** Copies, in storage layout (see {@link #fromArrays}). */
    public float[] vRe() { return vRe.clone(); }
    public float[] vIm() { return vIm.clone(); }
    public float[] singularValues() { return singularValues.clone(); }
    public double totalEnergy() { return totalEnergy; }

    /**
     * V^H of the first {@code k} vectors as a real matrix [2T x 2k] acting on a signal stored as channels
     * [re_0..re_{T-1}, im_0..im_{T-1}]: columns 0..k-1 give Re(V^H x), columns k..2k-1 give Im(V^H x). This is the
     * fixed input projection of the SCQ networks (SCQ_S's FE, the subspace in front of SCQ's FE).
     */
    public float[][] realProjection(int k) {
        if (k < 1 || k > rank) throw new IllegalArgumentException("k=" + k + " outside 1.." + rank);
        int t = timepoints;
        float[][] p = new float[2 * t][2 * k];
        for (int j = 0; j < t; j++) {
            for (int c = 0; c < k; c++) {
                float re = vRe[j * rank + c], im = vIm[j * rank + c];
                p[j][c] = re;          // Re(conj(v) x) from re_j
                p[j][k + c] = -im;     // Im(conj(v) x) from re_j
                p[t + j][c] = im;      // Re(conj(v) x) from im_j
                p[t + j][k + c] = re;  // Im(conj(v) x) from im_j
            }
        }
        return p;
    }

    /** Fraction of ||D||_F^2 captured by the first k vectors (k = 0..rank), non-decreasing in k. */
    public double cumulativeEnergy(int k) {
        if (k < 0 || k > rank) throw new IllegalArgumentException("k=" + k + " outside 0.." + rank);
        return k == 0 ? 0.0 : cumulative[k - 1];
    }

    /**
     * The smallest K whose vectors capture at least {@code fraction} of the energy.
     *
     * @throws MrfInputException if the fraction is not in (0, 1] or the held vectors do not reach it
     */
    public int rankForEnergy(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new MrfInputException("SVD energy threshold " + fraction + " is outside (0, 1]; use e.g. 0.9999 for 99.99%.");
        }
        for (int k = 0; k < rank; k++) {
            if (cumulative[k] >= fraction) return k + 1;
        }
        throw new MrfInputException(String.format("SVD energy threshold %s: the basis holds %d vectors capturing %.8f of the"
                + " energy; compute the SVD with a larger rank or use a lower threshold.", fraction, rank,
                rank == 0 ? 0.0 : cumulative[rank - 1]));
    }

    /** The first k vectors (k <= rank). */
    public SvdBasis truncate(int k) {
        if (k == rank) return this;
        if (k < 1 || k > rank) throw new IllegalArgumentException("cannot keep " + k + " of " + rank + " vectors");
        float[] r = new float[timepoints * k], i = new float[timepoints * k];
        for (int t = 0; t < timepoints; t++) {
            System.arraycopy(vRe, t * rank, r, t * k, k);
            System.arraycopy(vIm, t * rank, i, t * k, k);
        }
        return new SvdBasis(timepoints, k, r, i, Arrays.copyOf(singularValues, k), totalEnergy);
    }

    /** V (T x K) as a float ND4J complex matrix. */
    public ComplexMatrix v() {
        return ComplexMatrix.ofFloats(vRe, vIm, timepoints, rank);
    }
}
