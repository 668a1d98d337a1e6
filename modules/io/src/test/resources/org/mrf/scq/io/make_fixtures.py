# Generated the .mat/.h5/.nii fixtures in this folder ONCE (numpy 2.4, scipy 1.17, h5py 3.16).
# Tests do not run this script. Fixture content: MATLAB [H=3 W=4 T=2] with
# A(h,w,t) = 100 t + 10 h + w - i (100 t + 10 h + w)  (0-based h, w, t).
import numpy as np, h5py, scipy.io as sio, struct
H, W, T = 3, 4, 2
h, w, t = np.meshgrid(np.arange(H), np.arange(W), np.arange(T), indexing='ij')  # MATLAB [H W T]
val = (100 * t + 10 * h + w).astype(np.float32)
series = (val - 1j * val).astype(np.complex64)
t1 = (1000 + 10 * h[:, :, 0] + w[:, :, 0]).astype(np.float64)
t1[0, 1] = np.nan
mask = ((h[:, :, 0] + w[:, :, 0]) % 2).astype(np.uint8)
sio.savemat('mrf_v5.mat', {'series': series, 't1': t1, 'mask': mask, 'note': 'made by scipy'}, format='5', do_compression=False)
sio.savemat('mrf_v5_compressed.mat', {'series': series}, format='5', do_compression=True)
# v7.3 as MATLAB writes it: 512-byte user block, dims reversed, MATLAB_class attributes, complex = compound(real, imag)
with h5py.File('mrf_v73.mat', 'w', userblock_size=512) as f:
    ct = np.dtype([('real', '<f4'), ('imag', '<f4')])
    s = np.empty((T, W, H), dtype=ct); s['real'] = series.real.T; s['imag'] = series.imag.T
    d = f.create_dataset('series', data=s); d.attrs['MATLAB_class'] = np.bytes_('single')
    d = f.create_dataset('t1', data=t1.T); d.attrs['MATLAB_class'] = np.bytes_('double')
    d = f.create_dataset('mask', data=mask.T); d.attrs['MATLAB_class'] = np.bytes_('logical'); d.attrs['MATLAB_int_decode'] = np.int32(1)
    d = f.create_dataset('note', data=np.frombuffer('hi'.encode('utf-16-le'), dtype='<u2').reshape(2, 1)); d.attrs['MATLAB_class'] = np.bytes_('char')
hdr = b'MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Thu Nov 26 22:00:00 2026 HDF5 schema 1.00 .'
hdr = hdr.ljust(116, b' ') + b'\0' * 8 + b'\x00\x02IM'
with open('mrf_v73.mat', 'r+b') as fh:
    fh.write(hdr)
# complex double, plain HDF5 (no user block); imag = +2 (100 t + 10 h + w)
with h5py.File('plain_c128.h5', 'w') as f:
    ct = np.dtype([('real', '<f8'), ('imag', '<f8')])
    s = np.empty((T, W, H), dtype=ct); s['real'] = series.real.T; s['imag'] = -2 * series.imag.T
    f.create_dataset('x', data=s)
# NIfTI-1 (T=3, H=2, W=4) complex64 series, re = arange, im = -arange, dims [4, W, H, 1, T]
T2, H2, W2 = 3, 2, 4
re = np.arange(T2 * H2 * W2, dtype=np.float32).reshape(T2, H2, W2)
hdr = bytearray(352)
struct.pack_into('<i', hdr, 0, 348)
struct.pack_into('<8h', hdr, 40, 4, W2, H2, 1, T2, 1, 1, 1)
struct.pack_into('<hh', hdr, 70, 32, 64)
struct.pack_into('<8f', hdr, 76, 1, 2, 2, 5, 7, 1, 1, 1)
struct.pack_into('<f', hdr, 108, 352.0)
hdr[344:348] = b'n+1\0'
open('series_thw_c64.nii', 'wb').write(bytes(hdr) + (re - 1j * re).astype(np.complex64).tobytes(order='C'))
# NumPy: the same (T=3, H=2, W=4) complex64 series, and a big-endian float32 array (refused by NpyArray)
np.save('series_thw_c64.npy', (re - 1j * re).astype(np.complex64))
np.save('big_endian.npy', np.arange(4, dtype='>f4'))
# v7.3 as MATLAB writes larger variables: chunked + deflate; plus an empty variable and a struct (group)
with h5py.File('mrf_v73_deflate.mat', 'w', userblock_size=512) as f:
    ct = np.dtype([('real', '<f4'), ('imag', '<f4')])
    s = np.empty((T, W, H), dtype=ct); s['real'] = series.real.T; s['imag'] = series.imag.T
    d = f.create_dataset('series', data=s, chunks=(1, W, H), compression='gzip', compression_opts=3)
    d.attrs['MATLAB_class'] = np.bytes_('single')
    d = f.create_dataset('t1', data=t1.T, chunks=(2, 2), compression='gzip'); d.attrs['MATLAB_class'] = np.bytes_('double')
    d = f.create_dataset('nothing', data=np.array([0, 0], dtype=np.uint64)); d.attrs['MATLAB_class'] = np.bytes_('double')
    d.attrs['MATLAB_empty'] = np.uint8(1)
    g = f.create_group('info'); g.attrs['MATLAB_class'] = np.bytes_('struct')
    d = g.create_dataset('tr', data=np.array([[7.0]])); d.attrs['MATLAB_class'] = np.bytes_('double')
with open('mrf_v73_deflate.mat', 'r+b') as fh:
    fh.write(hdr)
