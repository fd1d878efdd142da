// z = a·x + y, one invocation per element.
struct Params {
    a: f32,
    n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn saxpy(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    // A dispatch has at most 65 535 workgroups along x: more than 4 194 240 elements take
    // rows of workgroups along y, each row `groups.x * 64` elements long.
    let i = id.x + id.y * groups.x * 64u;
    // The last workgroup runs past the end when n is not a multiple of 64.
    if i < params.n {
        y[i] = params.a * x[i] + y[i];
    }
}
