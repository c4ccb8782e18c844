/*
 * verhm/avatar.h — the voice-driven 3-D face: blendshape rig.
 *
 * The rig is the ICT FaceKit head (USC ICT, MIT licence) converted by
 * scripts/convert_ict_rig.py into assets/face/ict_rig.vhrig: a triangle mesh in
 * centimetres with per-vertex UVs and part labels, and the 52 ARKit
 * blendshapes as sparse vertex offsets. Posing is linear:
 *   v = neutral + Σ_k w_k · delta_k,   w_k usually in [0, 1].
 */
#ifndef VERHM_AVATAR_H
#define VERHM_AVATAR_H

#include "verhm/core.h"
#include "verhm/image.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The 52 ARKit blendshape names in ARKit/LiveLinkFace order. */
#define VH_ARKIT_COUNT 52
extern const char *const vh_arkit_names[VH_ARKIT_COUNT];
/* Index of an ARKit name (case-sensitive), or VH_ENOTFOUND. */
int vh_arkit_index(const char *name);

/* Mesh parts (vh_rig_parts()). */
enum vh_rig_part { VH_PART_SKIN = 0, VH_PART_EYE_SOCKET = 1, VH_PART_TEETH = 2,
                   VH_PART_EYEBALL = 3, VH_PART_LASHES = 4, VH_PART_MOUTH = 5,
                   VH_PART_EYE_SHELL = 6 /* transparent tear/occlusion shells: not drawn */ };

typedef struct vh_rig vh_rig;

/* Loads a .vhrig file (validated: magic, version, counts vs size, triangle and
 * vertex indices in range, finite values, CRC). Errors: VH_ENOTFOUND,
 * VH_EFORMAT (names the file and the problem), VH_ENOMEM. */
int vh_rig_load(const char *path, vh_rig **out);
int vh_rig_load_mem(const void *buf, size_t len, const char *name, vh_rig **out);
void vh_rig_free(vh_rig *rig); /* NULL ok */

int vh_rig_vertex_count(const vh_rig *rig);
int vh_rig_triangle_count(const vh_rig *rig);
/* Number of shapes in the file (52) and their names (owned by the rig). The
 * rig's shape order is mapped to ARKit order on load: shape k is
 * vh_arkit_names[k], so weight vectors are always in ARKit order. */
int vh_rig_shape_count(const vh_rig *rig);

/* Read-only arrays owned by the rig: neutral positions [nverts*3] (cm), UVs
 * [nverts*2], parts [nverts], triangles [ntris*3] (counter-clockwise seen from
 * outside). */
const float *vh_rig_neutral(const vh_rig *rig);
const float *vh_rig_uvs(const vh_rig *rig);
const uint8_t *vh_rig_parts(const vh_rig *rig);
const uint32_t *vh_rig_triangles(const vh_rig *rig);
/* Offsets of shape k (ARKit index) as sparse lists: *count entries of vertex
 * indices and xyz deltas. Owned by the rig. */
void vh_rig_shape(const vh_rig *rig, int k, int *count, const uint16_t **verts, const float **deltas);

/* Poses the mesh: out[nverts*3] = neutral + Σ w[k]·delta_k over the 52 ARKit
 * weights (caller-owned arrays). Weights outside [-1, 2] or non-finite are
 * rejected with VH_ERANGE (out untouched). */
int vh_rig_apply(const vh_rig *rig, const float w[VH_ARKIT_COUNT], float *out);

/* ---- software renderer ---- */

/* Camera and look of the rendered face. */
typedef struct vh_render_params {
    int width, height;      /* output size (512 × 768 like the original) */
    int supersample;        /* anti-aliasing: n×n samples per pixel (1–4, default 2) */
    float fov_deg;          /* vertical field of view (default 24) */
    float center[3];        /* point the camera looks at, cm in rig space */
    float distance;         /* camera distance from `center` along +z, cm */
    uint8_t background_top[3], background_bottom[3]; /* vertical gradient */
} vh_render_params;

vh_render_params vh_render_default_params(void);

/* Per-frame pose beyond the blendshapes: head rotation (degrees, about the
 * neck) and eye gaze (degrees; + yaw looks to the image's right, + pitch up). */
typedef struct vh_render_pose {
    float head_yaw, head_pitch, head_roll;
    float gaze_yaw, gaze_pitch;
} vh_render_pose;

typedef struct vh_renderer vh_renderer;

/* Creates a renderer for `rig` (which must outlive it); all buffers are
 * allocated here, rendering allocates nothing. Errors: VH_EINVAL (sizes out of
 * range: 16–4096 px, supersample 1–4), VH_ENOMEM. */
int vh_renderer_new(const vh_rig *rig, const vh_render_params *p, vh_renderer **out);
void vh_renderer_free(vh_renderer *r); /* NULL ok */

/* Renders the mesh with vertex positions `pos` (nverts*3, e.g. from
 * vh_rig_apply) and `pose` (NULL = neutral): z-buffered triangles with smooth
 * (per-vertex, Gouraud) lighting from a key, fill and rim light, coloured skin,
 * eyes (sclera, iris, pupil), teeth, mouth interior and lashes, n×n supersampled.
 * Uses vh_parallel_for over image bands. *frame is an RGB image owned by the
 * renderer, valid until the next call. */
int vh_render(vh_renderer *r, const float *pos, const vh_render_pose *pose, const vh_image **frame);

#ifdef __cplusplus
}
#endif
#endif
