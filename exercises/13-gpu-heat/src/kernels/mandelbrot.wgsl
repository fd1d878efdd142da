// Task 3: exercise 04's Mandelbrot kernel, one invocation per pixel, in f32. Each invocation
// computes the escape count of its pixel's point c = x + iy from z = 0 (the loop of exercise
// 04's `kernel`) and writes it at `counts[i * width + j]`. The parameters are declared for you.
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
    // TODO
}
