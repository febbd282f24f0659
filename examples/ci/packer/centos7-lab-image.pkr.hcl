# Build a CentOS 7 lab image with Packer and refuse it unless labspec passes it.
#
# labspec cannot run inside CentOS 7 (Node.js needs glibc 2.28; CentOS 7 has 2.17), so the gate takes the bundle
# path: `labspec bundle` writes the read-only probe script on the build machine, Packer runs it in the VM with
# plain sh and brings its output back, and `labspec grade` judges that capture on the build machine with the image
# profile. A check that fails or cannot be judged fails the build, and Packer discards the image; the reports stay
# in output/labspec-reports.
#
#   packer build -var base_image=centos7-tutorial.qcow2 -var ssh_private_key_file=build_key centos7-lab-image.pkr.hcl
#   packer build -var role=controller -var name=controller -var lab_address=10.0.0.100 … (the controller's image)
#
# The build machine needs labspec on its PATH (npm install --global <the labspec tarball>). Packer 1.10 or later
# ships the qemu builder as a plugin: `packer plugins install github.com/hashicorp/qemu` first.

variable "base_image" {
  type        = string
  description = "The qcow2 the image starts from (path or URL): CentOS 7 with root's SSH key authorized."
}

variable "base_image_checksum" {
  type    = string
  default = "none"
}

variable "ssh_private_key_file" {
  type        = string
  description = "The private key the base image accepts for root."
}

variable "role" {
  type    = string
  default = "compute"
}

variable "name" {
  type    = string
  default = "compute1"
}

variable "lab_address" {
  type        = string
  default     = "10.0.0.101"
  description = "The host's address on the lab network, which its /etc/hosts must map to its name."
}

variable "output_directory" {
  type    = string
  default = "output"
}

# disk.root wants a root filesystem of 60 GiB or more: the disk is a little larger than the filesystem on it.
source "qemu" "centos7" {
  iso_url              = var.base_image
  iso_checksum         = var.base_image_checksum
  disk_image           = true
  format               = "qcow2"
  disk_size            = "64G"
  cpus                 = 2
  memory               = 2048
  accelerator          = "kvm"
  headless             = true
  ssh_username         = "root"
  ssh_private_key_file = var.ssh_private_key_file
  ssh_timeout          = "10m"
  shutdown_command     = "shutdown -P now"
  output_directory     = "${var.output_directory}/image"
  vm_name              = "centos7-${var.name}.qcow2"
}

build {
  sources = ["source.qemu.centos7"]

  # The tutorial's steps for this image go here, as provisioners before the gate.

  # The gate, 1: the probe script of this host, written on the build machine.
  provisioner "shell-local" {
    inline = [
      "mkdir -p ${var.output_directory}",
      "labspec bundle --role ${var.role} --name ${var.name} --lab-address ${var.lab_address} > ${var.output_directory}/labspec-bundle.sh",
    ]
  }

  # 2: into the VM (generated: the file exists only once step 1 has run).
  provisioner "file" {
    source      = "${var.output_directory}/labspec-bundle.sh"
    destination = "/tmp/labspec-bundle.sh"
    generated   = true
  }

  # 3: run by plain sh, as root; everything it prints goes into the capture.
  provisioner "shell" {
    inline = ["sh /tmp/labspec-bundle.sh > /tmp/labspec-capture.txt"]
  }

  # 4: the capture back to the build machine, and neither file left in the image.
  provisioner "file" {
    direction   = "download"
    source      = "/tmp/labspec-capture.txt"
    destination = "${var.output_directory}/labspec-capture.txt"
  }

  provisioner "shell" {
    inline = ["rm -f /tmp/labspec-bundle.sh /tmp/labspec-capture.txt"]
  }

  # 5: judged on the build machine. Anything but exit 0 fails the build.
  provisioner "shell-local" {
    inline = [
      "labspec grade ${var.output_directory}/labspec-capture.txt --profile image --reports ${var.output_directory}/labspec-reports",
    ]
  }
}
