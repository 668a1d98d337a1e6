/**
 * Scanner-export and image formats, both ways, without Spark or Hadoop: every API takes an
 * {@link java.io.InputStream}/{@link java.io.OutputStream} (or a {@link java.nio.file.Path}) plus a
 * {@code source}/{@code target} string that names the file in errors and whose extension picks
 * the format, so Spark jobs can hand in Hadoop FileSystem streams.
 *
 * <ul>
 *   <li>{@link org.mrf.scq.io.NdArray}: the in-memory array (name, C-order shape, float real part,
 *       optional float imaginary part, on-disk element type).</li>
 *   <li>{@link org.mrf.scq.io.ArrayFiles}: one entry point, {@code read}/{@code readAll}/{@code write}
 *       dispatching on .npy, .nii, .nii.gz, .mat, .h5.</li>
 *   <li>{@link org.mrf.scq.io.NpyArray} (NumPy), {@link org.mrf.scq.io.Nifti} (NIfTI-1),
 *       {@link org.mrf.scq.io.MatFiles} (MATLAB v5 and v7.3), {@link org.mrf.scq.io.MapImages} (PNG).</li>
 * </ul>
 *
 * <h2>One layout everywhere</h2>
 * An MRF image series is {@code (T, H, W)} in C order (time slowest, column fastest), a map
 * {@code (H, W)}. The formats map onto it as follows, and every write/read round trip gives
 * identical arrays:
 * <table>
 *   <caption>Layouts</caption>
 *   <tr><th>format</th><th>series (T, H, W)</th><th>map (H, W)</th></tr>
 *   <tr><td>NumPy .npy</td><td>shape (T, H, W), C order</td><td>(H, W)</td></tr>
 *   <tr><td>NIfTI-1</td><td>dim = [4, W, H, 1, T] (x = column fastest, t slowest); bytes unchanged</td>
 *       <td>dim = [2, W, H]</td></tr>
 *   <tr><td>MATLAB v5/v7.3</td><td>variable of size [H W T] (column-major)</td><td>[H W]</td></tr>
 *   <tr><td>HDF5 inside v7.3</td><td>dataset dims (T, W, H)</td><td>(W, H)</td></tr>
 * </table>
 * Bad input raises {@link org.mrf.scq.core.util.MrfInputException} naming the file, the problem and
 * the fix. NaN and infinities are read as they are; validating them is the caller's job.
 */
package org.mrf.scq.io;
