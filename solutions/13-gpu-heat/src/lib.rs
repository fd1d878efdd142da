//! Solution to exercise 13: exercise 01's heat equation on a GPU. The field goes up once, in
//! f32; two buffers take turns as the step's input and output (ping-pong), one dispatch per
//! step, all steps in one submission; the field comes back once.

use harness_gpu::{Gpu, wgpu};

pub use harness_gpu::harness::heat::{Grid, Params};

/// The kernel's parameters, as its WGSL `Params` lays them out (16 bytes).
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct StepParams {
    rows: u32,
    cols: u32,
    cx: f32,
    cy: f32,
}

/// The workgroup is 16×16 invocations, one per cell.
const TILE: u32 = 16;

/// A field on the device: its two buffers, the kernel and one bind group per direction.
struct DeviceField {
    buffers: [wgpu::Buffer; 2],
    kernel: wgpu::ComputePipeline,
    /// `groups[k]` reads `buffers[k]` and writes `buffers[1 - k]`.
    groups: [wgpu::BindGroup; 2],
    grid: (u32, u32, u32),
}

impl DeviceField {
    /// `field` in f32 in both buffers (both hold the boundary, which no step writes).
    fn upload(gpu: &Gpu, field: &Grid, p: &Params) -> DeviceField {
        let values: Vec<f32> = field.data.iter().map(|&v| v as f32).collect();
        let buffers = [gpu.upload(&values), gpu.upload(&values)];
        let params = gpu.uniform(&StepParams {
            rows: field.rows as u32,
            cols: field.cols as u32,
            cx: (p.a * p.dt / p.dx2) as f32,
            cy: (p.a * p.dt / p.dy2) as f32,
        });
        let kernel = gpu.kernel(include_str!("kernels/heat.wgsl"), "step");
        let group = |from: usize| {
            gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: None,
                layout: &kernel.get_bind_group_layout(0),
                entries: &[
                    wgpu::BindGroupEntry { binding: 0, resource: params.as_entire_binding() },
                    wgpu::BindGroupEntry { binding: 1, resource: buffers[from].as_entire_binding() },
                    wgpu::BindGroupEntry { binding: 2, resource: buffers[1 - from].as_entire_binding() },
                ],
            })
        };
        let groups = [group(0), group(1)];
        let grid = ((field.cols as u32).div_ceil(TILE), (field.rows as u32).div_ceil(TILE), 1);
        DeviceField { buffers, kernel, groups, grid }
    }

    /// `steps` steps in one submission: the device runs them back to back, with no copy and
    /// no round trip to the host between them. Returns which buffer holds the result.
    fn evolve(&self, gpu: &Gpu, steps: usize) -> usize {
        let mut encoder = gpu.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(&self.kernel);
            for k in 0..steps {
                pass.set_bind_group(0, &self.groups[k % 2], &[]);
                pass.dispatch_workgroups(self.grid.0, self.grid.1, self.grid.2);
            }
        }
        gpu.queue.submit([encoder.finish()]);
        steps % 2
    }

    /// The field in `buffers[k]`, back in f64.
    fn download(&self, gpu: &Gpu, k: usize, rows: usize, cols: usize) -> Grid {
        let values = download_f32(gpu, &self.buffers[k], rows * cols);
        Grid::new(rows, cols, values.into_iter().map(f64::from).collect())
    }
}

/// The first `n` values of a storage buffer, read back through a staging buffer (exercise 12's
/// `download`).
fn download_f32(gpu: &Gpu, buffer: &wgpu::Buffer, n: usize) -> Vec<f32> {
    let bytes = (n * 4) as u64;
    let staging = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("staging"),
        size: bytes,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(buffer, 0, &staging, 0, bytes);
    gpu.queue.submit([encoder.finish()]);
    staging.slice(..).map_async(wgpu::MapMode::Read, |mapped| mapped.expect("the staging buffer maps"));
    gpu.wait();
    let values = bytemuck::cast_slice(&staging.slice(..).get_mapped_range().expect("mapped after the wait")).to_vec();
    staging.unmap();
    values
}

/// Task 1: one step on the device.
pub fn step(gpu: &Gpu, field: &Grid, params: &Params) -> Grid {
    evolve(gpu, field, params, 1)
}

/// Task 2: `steps` steps, the field resident on the device from the first to the last.
pub fn evolve(gpu: &Gpu, field: &Grid, params: &Params, steps: usize) -> Grid {
    let device = DeviceField::upload(gpu, field, params);
    let result = device.evolve(gpu, steps);
    device.download(gpu, result, field.rows, field.cols)
}
