// Task 3: z = a·x + y, one invocation per element. The bindings are declared for you; write
// the body. Each invocation gets its own `id`: which element is its own? And what must the
// invocations past the end of the arrays (the last workgroup's extra ones) do?
struct Params {
    a: f32,
    n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn saxpy(@builtin(global_invocation_id) id: vec3<u32>) {
    // TODO
}
