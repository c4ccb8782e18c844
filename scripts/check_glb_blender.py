# Imports a .glb written by `verhm animate --glb` into Blender and checks it:
#   blender -b --factory-startup --python scripts/check_glb_blender.py -- FILE.glb [MIN_FRAMES]
# Prints one JSON line (mesh vertices, shape keys, animated frames) and exits
# non-zero when the import fails or the mesh, morph targets or animation are missing.
import json
import sys

import bpy
import numpy

# Debian's Blender 3.4.1 glTF importer uses numpy.bool, which numpy >= 1.24
# (Debian 12's) removed; restore the alias so the importer itself can run.
if not hasattr(numpy, "bool") or "bool" in getattr(numpy, "__former_attrs__", {}):
    numpy.bool = bool

argv = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
if not argv:
    print("usage: blender -b --python check_glb_blender.py -- FILE.glb [MIN_FRAMES]", file=sys.stderr)
    sys.exit(2)
path = argv[0]
min_frames = int(argv[1]) if len(argv) > 1 else 2
bpy.ops.wm.read_factory_settings(use_empty=True)
try:
    res = bpy.ops.import_scene.gltf(filepath=path)
except Exception as e:  # the importer raises on malformed files
    print(json.dumps({"ok": False, "error": str(e)}))
    sys.exit(1)
meshes = [o for o in bpy.context.scene.objects if o.type == "MESH"]
out = {"ok": False, "blender": bpy.app.version_string, "meshes": len(meshes)}
if meshes:
    ob = meshes[0]
    me = ob.data
    keys = me.shape_keys.key_blocks if me.shape_keys else []
    out["vertices"] = len(me.vertices)
    out["polygons"] = len(me.polygons)
    out["shape_keys"] = [k.name for k in keys][1:]  # without the Basis
    act = me.shape_keys.animation_data.action if me.shape_keys and me.shape_keys.animation_data else None
    frames = 0
    moving = 0
    if act:
        for fc in act.fcurves:
            frames = max(frames, len(fc.keyframe_points))
            vals = [kp.co[1] for kp in fc.keyframe_points]
            if vals and max(vals) - min(vals) > 1e-3:
                moving += 1
        out["action_frame_range"] = list(act.frame_range)
    out["keyframes"] = frames
    out["animated_keys"] = moving
    out["ok"] = bool(out["vertices"] > 1000 and out["shape_keys"] and frames >= min_frames and moving > 0)
print(json.dumps(out))
sys.exit(0 if out["ok"] else 1)
