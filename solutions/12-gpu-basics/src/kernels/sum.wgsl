// One pass of a sum: each workgroup of 256 adds up to 512 values in workgroup memory and
// writes its partial sum; the host runs passes until one value is left.
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
    let t = local.x;
    // Each invocation loads two values (the first addition is done on the way in).
    let i = group.x * SIZE * 2u + t;
    var v = 0.0;
    if i < params.n {
        v = input[i];
    }
    if i + SIZE < params.n {
        v += input[i + SIZE];
    }
    shared_sums[t] = v;
    workgroupBarrier();
    // A tree: half the invocations add the other half's values, until one is left.
    for (var stride = SIZE / 2u; stride > 0u; stride /= 2u) {
        if t < stride {
            shared_sums[t] += shared_sums[t + stride];
        }
        workgroupBarrier();
    }
    if t == 0u {
        partial[group.x] = shared_sums[0];
    }
}
