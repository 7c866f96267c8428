/* test_conv_fixtures.c — ginv against PyTorch on the nets of
 * tests/fixtures/conv (made by make_fixtures.py with Debian's python3-torch;
 * no PyTorch needed here): each model file, written by that script directly
 * in ginv's format, loads, and ginv's G(z) and J_G(z)^T v agree with
 * PyTorch's output and torch.autograd.grad((G(z) * v).sum(), z). */
#include "test.h"

#include <string.h>

static int read_npy(const char *name, const char *what, ginv_array *a)
{
    char path[256];
    snprintf(path, sizeof path, "tests/fixtures/conv/%s.%s.npy", name, what);
    ginv_status st = ginv_array_read(path, a);
    if (st != GINV_OK) test_fail(__FILE__, __LINE__, "%s: %s", path, ginv_last_error());
    return st == GINV_OK;
}

static void check_fixture(const char *name, int nlayers, size_t nparams)
{
    char path[256];
    snprintf(path, sizeof path, "tests/fixtures/conv/%s.safetensors", name);
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_load(path, &net));
    if (!net) return;
    CHECK_MSG(ginv_net_nlayers(net) == nlayers && ginv_net_nparams(net) == nparams,
              "%s: %d layers, %zu parameters", name, ginv_net_nlayers(net), ginv_net_nparams(net));
    ginv_array z = {0}, x = {0}, v = {0}, dz = {0};
    if (read_npy(name, "z", &z) && read_npy(name, "x", &x) && read_npy(name, "v", &v) &&
        read_npy(name, "dz", &dz)) {
        int B = (int)z.shape[0], k = ginv_net_in(net), n = ginv_net_out(net);
        CHECK(z.ndim == 2 && z.shape[1] == k && x.shape[0] == B && x.shape[1] == n);
        CHECK(ginv_array_count(&v) == (size_t)B * n && ginv_array_count(&dz) == (size_t)B * k);
        ginv_net_ws *ws;
        CHECK_OK(ginv_net_ws_new(&ws, net, B));
        const float *y = ginv_net_forward(net, ws, B, z.data);
        double d = test_max_rel_diff(y, x.data, (size_t)B * n, 1e-6);
        CHECK_MSG(d < 1e-5, "%s: forward vs PyTorch, rel diff %g", name, d);
        float *g = ginv_malloc(sizeof(float) * B * k);
        ginv_net_backward(net, ws, B, v.data, g, 0);
        d = test_max_rel_diff(g, dz.data, (size_t)B * k, 1e-6);
        CHECK_MSG(d < 1e-4, "%s: VJP vs torch.autograd.grad, rel diff %g", name, d);
        ginv_free(g);
        ginv_net_ws_free(ws);
    }
    ginv_array_release(&z);
    ginv_array_release(&x);
    ginv_array_release(&v);
    ginv_array_release(&dz);
    ginv_net_free(net);
}

TEST(pytorch_mlp_with_elu_matches_ginv) { check_fixture("mlp", 6, 8 * 32 + 32 + 32 * 32 + 32 + 32 * 16 + 16); }

TEST(pytorch_dcgan_28x28_with_batchnorm_folded_matches_ginv)
{
    /* dense 100 -> 196, relu, reshape, convT 4 -> 8 (bias: the folded shift),
     * relu, convT 8 -> 1, sigmoid */
    check_fixture("dcgan28", 7, 100 * 196 + 196 + 4 * 8 * 16 + 8 + 8 * 16 + 1);
}

TEST(pytorch_dcgan_3x32x32_with_batchnorm_layers_matches_ginv)
{
    check_fixture("dcgan32", 12, 100 * 8 * 16 + 16 + 8 * 8 * 16 + 16 + 8 * 4 * 16 + 8 + 4 * 3 * 16);
}

TEST(pytorch_strided_dilated_output_padded_convs_match_ginv)
{
    check_fixture("strided", 8, 2 * 4 * 9 + 4 + 4 * 3 * 9 + 3 + 3 * 2 * 6 + 2 + 120 * 5 + 5);
}

TEST(pytorch_upsample_conv_generator_matches_ginv)
{
    check_fixture("upsample", 9, 16 * 64 + 64 + 4 * 4 * 9 + 4 + 4 * 9 + 1);
}
