/* Reads an ISMRMRD file with the reference library (libismrmrd) and prints, per acquisition, the
 * fields the conformance test compares: the test compiles this with gcc and runs it on files the
 * project writes. Output: one "header ..." line, then "acq i step1 rep contrast phase set segment
 * samples channels trajdims sumRe sumIm sumAbsTraj" per acquisition. With a second argument, the
 * XML header is also written to that file (for ismrmrd_test_xml, the reference XML parser). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <ismrmrd/ismrmrd.h>
#include <ismrmrd/dataset.h>

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s FILE [XML_OUT]\n", argv[0]); return 2; }
    ISMRMRD_Dataset d;
    if (ismrmrd_init_dataset(&d, argv[1], "/dataset") != ISMRMRD_NOERROR) return 3;
    if (ismrmrd_open_dataset(&d, false) != ISMRMRD_NOERROR) return 4;
    char *xml = ismrmrd_read_header(&d);
    if (xml == NULL) return 5;
    uint32_t n = ismrmrd_get_number_of_acquisitions(&d);
    printf("header %zu acquisitions %u\n", strlen(xml), n);
    if (argc > 2) {
        FILE *out = fopen(argv[2], "w");
        if (out == NULL) return 7;
        fputs(xml, out);
        fclose(out);
    }
    free(xml);
    ISMRMRD_Acquisition acq;
    for (uint32_t i = 0; i < n; i++) {
        ismrmrd_init_acquisition(&acq);
        if (ismrmrd_read_acquisition(&d, i, &acq) != ISMRMRD_NOERROR) return 6;
        ISMRMRD_AcquisitionHeader *h = &acq.head;
        size_t nd = (size_t) h->number_of_samples * h->active_channels;
        double sr = 0, si = 0, st = 0;
        for (size_t k = 0; k < nd; k++) { sr += crealf(acq.data[k]); si += cimagf(acq.data[k]); }
        size_t nt = (size_t) h->number_of_samples * h->trajectory_dimensions;
        for (size_t k = 0; k < nt; k++) st += fabs(acq.traj[k]);
        printf("acq %u %u %u %u %u %u %u %u %u %u %.9g %.9g %.9g\n", i, h->idx.kspace_encode_step_1,
               h->idx.repetition, h->idx.contrast, h->idx.phase, h->idx.set, h->idx.segment,
               h->number_of_samples, h->active_channels, h->trajectory_dimensions, sr, si, st);
        ismrmrd_cleanup_acquisition(&acq);
    }
    ismrmrd_close_dataset(&d);
    return 0;
}
