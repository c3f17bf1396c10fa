using Microsoft.Extensions.Logging;

namespace DPoP.Http.Internal;

/// <summary>
/// One handler's "the primary handler does not redirect" check: done by IHttpClientFactory's pipeline filter when it
/// builds the chain, or, for a handler built by hand, before its first request. Concurrent first requests wait for
/// the one that does it, so none can be sent while the primary handler still follows redirects.
/// </summary>
internal sealed class DPoPPrimaryHandlerCheck
{
    private readonly Lock _lock = new();
    private volatile bool _done;

    /// <summary>Records that the check was done elsewhere (the pipeline filter).</summary>
    public void MarkDone() => _done = true;

    /// <summary>Turns the redirects of the primary handler below <paramref name="innerHandler"/> off, once.</summary>
    public void EnsureDone(HttpMessageHandler? innerHandler, ILogger logger, string clientName)
    {
        if (_done)
        {
            return;
        }

        lock (_lock)
        {
            if (!_done)
            {
                DPoPPrimaryHandler.DisableAutoRedirect(innerHandler, logger, clientName);
                _done = true;
            }
        }
    }
}
