// Task 6: out = mᵀ for a rows×cols row-major matrix m (out is cols×rows, row-major).
struct Params {
    rows: u32,
    cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> m: array<f32>;
@group(0) @binding(2) var<storage, read_write> t: array<f32>;

const TILE: u32 = 16u;

// One invocation per element of m: x along its columns, y along its rows.
@compute @workgroup_size(16, 16)
fn transpose_naive(@builtin(global_invocation_id) id: vec3<u32>) {
    // TODO
}

// A 16×16 tile of m through workgroup memory: read it row by row, wait, write it transposed,
// row by row too. Why 17 columns? The lesson says.
var<workgroup> tile: array<array<f32, 17>, 16>;

@compute @workgroup_size(16, 16)
fn transpose_tiled(@builtin(local_invocation_id) local: vec3<u32>, @builtin(workgroup_id) group: vec3<u32>) {
    // TODO
}
