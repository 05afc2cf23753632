namespace Lah.Vision.Models;

/// <summary>The residual block of a ResNet: torchvision's BasicBlock (expansion 1) or Bottleneck (expansion 4).</summary>
public enum BlockKind
{
    Basic,
    Bottleneck,
}
