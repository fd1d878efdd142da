// Exercise 04's Mandelbrot kernel, one invocation per pixel, in f32: the escape count of
// c = x + iy from z = 0, written row after row.
struct Spec {
    width: u32,
    height: u32,
    cutoff: u32,
    lim2: f32,
    // The first pixel's point and the step between pixels (np.linspace's), from the host.
    x0: f32,
    y0: f32,
    dx: f32,
    dy: f32,
}

@group(0) @binding(0) var<uniform> spec: Spec;
@group(0) @binding(1) var<storage, read_write> counts: array<u32>;

@compute @workgroup_size(16, 16)
fn mandelbrot(@builtin(global_invocation_id) id: vec3<u32>) {
    let j = id.x;
    let i = id.y;
    if i >= spec.height || j >= spec.width {
        return;
    }
    let cr = spec.x0 + spec.dx * f32(j);
    let ci = spec.y0 + spec.dy * f32(i);
    var zr = 0.0;
    var zi = 0.0;
    var n = 0u;
    // Invocations of a workgroup run in lock-step: the workgroup waits for its slowest pixel.
    while zr * zr + zi * zi < spec.lim2 && n < spec.cutoff {
        let t = zr * zr - zi * zi + cr;
        zi = 2.0 * zr * zi + ci;
        zr = t;
        n += 1u;
    }
    counts[i * spec.width + j] = n;
}
