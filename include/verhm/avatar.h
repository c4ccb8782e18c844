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
                   VH_PART_EYEBALL = 3, VH_PART_LASHES = 4, VH_PART_OTHER = 5 };

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

#ifdef __cplusplus
}
#endif
#endif
