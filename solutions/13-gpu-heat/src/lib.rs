//! Solution to exercise 13: exercise 01's heat equation on a GPU. The field goes up once, in
//! f32; two buffers take turns as the step's input and output (ping-pong), one dispatch per
//! step, all steps in one submission; the field comes back once. And exercise 04's Mandelbrot
//! picture, one invocation per pixel.

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
        let values: Vec<f32> = download(gpu, &self.buffers[k], rows * cols);
        Grid::new(rows, cols, values.into_iter().map(f64::from).collect())
    }
}

/// The first `n` values of a storage buffer, read back through a staging buffer (exercise 12's
/// `download`).
fn download<T: bytemuck::Pod>(gpu: &Gpu, buffer: &wgpu::Buffer, n: usize) -> Vec<T> {
    let bytes = (n * size_of::<T>()) as u64;
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

pub use harness_gpu::harness::mandelbrot::ImageSpec;

/// The Mandelbrot kernel's parameters, as its WGSL `Spec` lays them out (32 bytes).
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct MandelbrotSpec {
    width: u32,
    height: u32,
    cutoff: u32,
    lim2: f32,
    x0: f32,
    y0: f32,
    dx: f32,
    dy: f32,
}

/// Task 3: exercise 04's picture on the device, one invocation per pixel. No input goes up
/// but 32 bytes of parameters; the counts come down once.
pub fn mandelbrot(gpu: &Gpu, spec: &ImageSpec) -> Vec<u32> {
    // np.linspace's step, in f64 on the host; a single pixel sits at the start of the range.
    let step = |(a, b): (f64, f64), n: usize| if n > 1 { ((b - a) / (n - 1) as f64) as f32 } else { 0.0 };
    let params = gpu.uniform(&MandelbrotSpec {
        width: spec.width as u32,
        height: spec.height as u32,
        cutoff: spec.cutoff,
        lim2: (spec.lim * spec.lim) as f32,
        x0: spec.x.0 as f32,
        y0: spec.y.0 as f32,
        dx: step(spec.x, spec.width),
        dy: step(spec.y, spec.height),
    });
    let counts = gpu.storage((spec.pixels() * 4) as u64);
    let kernel = gpu.kernel(include_str!("kernels/mandelbrot.wgsl"), "mandelbrot");
    let grid = ((spec.width as u32).div_ceil(TILE), (spec.height as u32).div_ceil(TILE), 1);
    gpu.run(&kernel, &[&params, &counts], grid);
    download(gpu, &counts, spec.pixels())
}
