// One explicit step of the heat equation on a rows×cols row-major field: every interior cell
// from its four neighbours, one invocation per cell. The boundary is never written: both
// buffers hold it from the upload on.
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
    // x along a row, so that neighbouring invocations read neighbouring cells (coalesced).
    let j = id.x;
    let i = id.y;
    if i == 0u || j == 0u || i + 1u >= params.rows || j + 1u >= params.cols {
        return;
    }
    let k = i * params.cols + j;
    let c = u[k];
    u_new[k] = c
        + params.cx * (u[k + params.cols] - 2.0 * c + u[k - params.cols])
        + params.cy * (u[k + 1u] - 2.0 * c + u[k - 1u]);
}
