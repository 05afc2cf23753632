namespace Lah.Torch.Distributed;

/// <summary>
/// A collective or rendezvous failed: a peer exited or stopped answering within the timeout, the master could not be
/// reached, or the arguments were inconsistent. The message names this rank and the operation; the inner exception
/// carries c10d's / Gloo's own message.
/// </summary>
public sealed class DistributedException(string message, Exception? inner = null) : Exception(message, inner);
