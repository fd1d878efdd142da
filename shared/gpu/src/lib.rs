//! The course's GPU side: one [`Gpu`] per process, opened on the machine's adapter through
//! [wgpu](https://wgpu.rs) (Vulkan on Linux and Windows, Metal on macOS), and the few helpers
//! the GPU exercises share, so a task is about the kernel and not about forty lines of set-up.
//!
//! Without a GPU, Mesa's lavapipe (Debian's `mesa-vulkan-drivers`) is a Vulkan driver that runs
//! on the CPU: every kernel runs there unchanged, correctly, and slowly. A timing is only a GPU
//! timing when [`Gpu::is_cpu`] is false: the runner says which adapter ran.
//!
//! - [`basics`]: exercise 12's tests and grading worker;
//! - [`heat`]: exercise 13's, and its timed stage;
//! - [`bandwidth`]: the device's copy bandwidth, its roofline.

pub mod bandwidth;
pub mod basics;
pub mod heat;

pub use harness;
pub use wgpu;

use std::sync::OnceLock;
use wgpu::util::DeviceExt;

/// What to install for a Vulkan driver, by platform (the runner shows the same list).
pub const INSTALL: &str = "\
  Debian, Ubuntu:  sudo apt-get install -y libvulkan1 mesa-vulkan-drivers   (lavapipe: Vulkan on the CPU)
  Fedora:          sudo dnf install -y vulkan-loader mesa-vulkan-drivers
  NVIDIA, AMD:     the vendor's driver ships its Vulkan driver (a container also needs its ICD file)
  macOS:           nothing: wgpu uses Metal";

/// A GPU context: the adapter (which device), the device (our connection to it) and its queue
/// (where work is submitted). Every field is wgpu's own, for the tasks that go beyond the helpers.
pub struct Gpu {
    pub adapter: wgpu::Adapter,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
}

impl Gpu {
    /// Opens the machine's preferred adapter (a discrete GPU before an integrated one before a
    /// CPU one), with the adapter's own limits, so large buffers work where the device allows.
    pub fn new() -> Result<Gpu, String> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle());
        let options = wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            ..Default::default()
        };
        let adapter = pollster::block_on(instance.request_adapter(&options)).map_err(|e| {
            format!(
                "wgpu found no GPU adapter ({e}): this machine has no Vulkan or Metal driver. Install one:\n{INSTALL}"
            )
        })?;
        let descriptor =
            wgpu::DeviceDescriptor { label: Some("course"), required_limits: adapter.limits(), ..Default::default() };
        let (device, queue) = pollster::block_on(adapter.request_device(&descriptor))
            .map_err(|e| format!("the adapter {:?} refused a device: {e}", adapter.get_info().name))?;
        Ok(Gpu { adapter, device, queue })
    }

    /// Whether the adapter is software on the CPU (lavapipe, SwiftShader, WARP): its timings
    /// say nothing about a GPU.
    pub fn is_cpu(&self) -> bool {
        self.adapter.get_info().device_type == wgpu::DeviceType::Cpu
    }

    /// One line for a report: `llvmpipe (LLVM 15.0.6, 256 bits) (Cpu, Vulkan)`.
    pub fn describe(&self) -> String {
        let info = self.adapter.get_info();
        format!("{} ({:?}, {:?})", info.name, info.device_type, info.backend)
    }

    /// A storage buffer holding `data`, which kernels read and write and copies go from and to.
    pub fn upload<T: bytemuck::Pod>(&self, data: &[T]) -> wgpu::Buffer {
        self.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: None,
            contents: bytemuck::cast_slice(data),
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
        })
    }

    /// An uninitialised (zeroed) storage buffer of `bytes` bytes.
    pub fn storage(&self, bytes: u64) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size: bytes,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// A uniform buffer holding `value`: a kernel's small parameters (a length, a coefficient).
    /// WGSL lays a uniform struct out in 16-byte units: pad `value` to a multiple of 16 bytes.
    pub fn uniform<T: bytemuck::Pod>(&self, value: &T) -> wgpu::Buffer {
        self.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: None,
            contents: bytemuck::bytes_of(value),
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        })
    }

    /// The compute pipeline of `entry` in the WGSL source `wgsl`. A WGSL error panics with
    /// wgpu's message: the line, the column and what was expected.
    pub fn kernel(&self, wgsl: &str, entry: &str) -> wgpu::ComputePipeline {
        let module = self.device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(entry),
            source: wgpu::ShaderSource::Wgsl(wgsl.into()),
        });
        self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(entry),
            layout: None,
            module: &module,
            entry_point: Some(entry),
            compilation_options: Default::default(),
            cache: None,
        })
    }

    /// Submits one dispatch of `kernel` on `workgroups` (x, y, z) workgroups, with `bindings`
    /// as `@group(0) @binding(0)`, `@binding(1)`, … in order. It returns at once: the device
    /// runs it in the background; [`wait`](Self::wait) waits for everything submitted.
    pub fn run(&self, kernel: &wgpu::ComputePipeline, bindings: &[&wgpu::Buffer], workgroups: (u32, u32, u32)) {
        let entries: Vec<wgpu::BindGroupEntry<'_>> = bindings
            .iter()
            .enumerate()
            .map(|(i, b)| wgpu::BindGroupEntry { binding: i as u32, resource: b.as_entire_binding() })
            .collect();
        let group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &kernel.get_bind_group_layout(0),
            entries: &entries,
        });
        let mut encoder = self.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(kernel);
            pass.set_bind_group(0, &group, &[]);
            pass.dispatch_workgroups(workgroups.0, workgroups.1, workgroups.2);
        }
        self.queue.submit([encoder.finish()]);
    }

    /// Waits until the device has finished everything submitted so far.
    pub fn wait(&self) {
        self.device.poll(wgpu::PollType::wait_indefinitely()).expect("the device was lost");
    }
}

/// This process's GPU context, opened on first use. Panics, saying what to install, where the
/// machine has no adapter: a test that needs a GPU fails with that message.
pub fn shared() -> &'static Gpu {
    static GPU: OnceLock<Result<Gpu, String>> = OnceLock::new();
    match GPU.get_or_init(Gpu::new) {
        Ok(gpu) => gpu,
        Err(why) => panic!("{why}"),
    }
}
