# Renders a .glb from `verhm animate --glb` with Blender's Workbench engine,
# headless, at the size verhm renders (512×768), and prints the time per frame
# (rendering only: import and start-up are excluded).
#   blender -b --factory-startup --python bench/animate/blender_render.py -- FACE.glb FRAMES OUTDIR
import json
import math
import sys
import time

import bpy
import numpy

if not hasattr(numpy, "bool") or "bool" in getattr(numpy, "__former_attrs__", {}):
    numpy.bool = bool  # Debian's Blender 3.4.1 importer vs numpy >= 1.24

argv = sys.argv[sys.argv.index("--") + 1:]
path, nframes, outdir = argv[0], int(argv[1]), argv[2]
bpy.ops.wm.read_factory_settings(use_empty=True)
bpy.ops.import_scene.gltf(filepath=path)
scene = bpy.context.scene
ob = [o for o in scene.objects if o.type == "MESH"][0]
# Camera like verhm's renderer: 24° vertical field of view, looking at the face.
bb = [ob.matrix_world @ v.co for v in ob.data.vertices]
cx = sum(v.x for v in bb) / len(bb)
cz = max(v.z for v in bb) - 0.12
ymin = min(v.y for v in bb)
cam_data = bpy.data.cameras.new("cam")
cam_data.sensor_fit = "VERTICAL"
cam_data.angle = math.radians(24)
cam = bpy.data.objects.new("cam", cam_data)
scene.collection.objects.link(cam)
cam.location = (cx, ymin - 0.75, cz)
cam.rotation_euler = (math.radians(90), 0, 0)
scene.camera = cam
scene.render.engine = "BLENDER_WORKBENCH"
scene.display.shading.light = "STUDIO"
scene.display.shading.color_type = "MATERIAL"
scene.render.resolution_x = 512
scene.render.resolution_y = 768
scene.render.resolution_percentage = 100
scene.render.image_settings.file_format = "PNG"
scene.render.fps = 30
times = []
cpu = []
for f in range(nframes):
    scene.frame_set(f + 1)
    scene.render.filepath = f"{outdir}/blender_{f + 1:04d}.png"
    t, c = time.perf_counter(), time.process_time()
    bpy.ops.render.render(write_still=True)
    times.append(time.perf_counter() - t)
    cpu.append(time.process_time() - c)  # CPU of all Blender threads
# The first frame includes shader compilation: report the rest.
steady = times[1:] if len(times) > 1 else times
steady_cpu = cpu[1:] if len(cpu) > 1 else cpu
print(json.dumps({"blender": bpy.app.version_string, "frames": nframes,
                  "first_frame_s": times[0], "per_frame_s": sum(steady) / len(steady),
                  "per_frame_cpu_s": sum(steady_cpu) / len(steady_cpu)}))
