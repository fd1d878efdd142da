// One explicit step of the heat equation on a rows×cols row-major field, one invocation per
// cell: u_new = u + cx·(up − 2u + down) + cy·(right − 2u + left) for every interior cell.
// The bindings are declared for you; write the body. Which invocation is which cell? Which
// invocations must not write (the boundary, and those past the edge of the field)?
struct Params {
    rows: u32,
    cols: u32,
    // a·dt/dx² and a·dt/dy², computed once on the host.
    cx: f32,
    cy: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> u: array<f32>;
@group(0) @binding(2) var<storage, read_write> u_new: array<f32>;

@compute @workgroup_size(16, 16)
fn step(@builtin(global_invocation_id) id: vec3<u32>) {
    // TODO
}
