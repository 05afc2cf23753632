namespace Lah.Torch.NN;

/// <summary>Which fan Kaiming initialisation preserves: the forward pass's variance (FanIn) or the backward pass's (FanOut).</summary>
public enum FanMode { FanIn, FanOut }
