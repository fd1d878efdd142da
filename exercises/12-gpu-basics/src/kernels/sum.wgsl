// Task 5: one pass of a sum. Each workgroup adds up its share of `input` in workgroup memory
// (`var<workgroup>`, shared by the workgroup's invocations, much faster than storage) and
// writes one partial sum; the host runs passes until one value is left. Between two steps of
// the tree every invocation must wait for the others: `workgroupBarrier()`.
struct Params {
    n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> partial: array<f32>;

const SIZE: u32 = 256u;
var<workgroup> shared_sums: array<f32, SIZE>;

@compute @workgroup_size(256)
fn sum_pass(@builtin(local_invocation_id) local: vec3<u32>, @builtin(workgroup_id) group: vec3<u32>) {
    // TODO
}
