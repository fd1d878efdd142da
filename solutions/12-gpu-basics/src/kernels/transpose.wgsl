// Matrix transpose, out = inᵀ, for a rows×cols row-major matrix: naive and tiled.
struct Params {
    rows: u32,
    cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> m: array<f32>;
@group(0) @binding(2) var<storage, read_write> t: array<f32>;

const TILE: u32 = 16u;

// Naive: neighbouring invocations (along x) read neighbours in a row of m, and write
// elements a whole row of t apart: the writes are scattered.
@compute @workgroup_size(16, 16)
fn transpose_naive(@builtin(global_invocation_id) id: vec3<u32>) {
    let j = id.x;
    let i = id.y;
    if i < params.rows && j < params.cols {
        t[j * params.rows + i] = m[i * params.cols + j];
    }
}

// Tiled: a workgroup reads a 16×16 tile row by row into workgroup memory, then writes the
// transposed tile row by row too, so reads and writes both go to neighbouring addresses.
// One column of padding keeps the column-wise reads of the tile off a single memory bank.
var<workgroup> tile: array<array<f32, 17>, 16>;

@compute @workgroup_size(16, 16)
fn transpose_tiled(@builtin(local_invocation_id) local: vec3<u32>, @builtin(workgroup_id) group: vec3<u32>) {
    let j = group.x * TILE + local.x;
    let i = group.y * TILE + local.y;
    if i < params.rows && j < params.cols {
        tile[local.y][local.x] = m[i * params.cols + j];
    }
    workgroupBarrier();
    // The same workgroup, now on the transposed tile: rows of t are columns of m.
    let ti = group.x * TILE + local.y;
    let tj = group.y * TILE + local.x;
    if ti < params.cols && tj < params.rows {
        t[ti * params.rows + tj] = tile[local.x][local.y];
    }
}
