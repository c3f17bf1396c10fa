using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Medallion.Threading;
using DPoP.Http.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// The farm-wide half of a session's single-flight refresh: a lock from the app's <see cref="IDistributedLockProvider"/>
/// (none registered, or <see cref="DPoPOpenIdConnectOptions.UseDistributedRefreshLock"/> off: no lock, as in one
/// process). One caller per instance asks for it (the token engine's one refresh per token and a session's turns,
/// <see cref="SessionRefreshTurns"/>, stand in front), and holds it only around the session's read, the grant and the
/// write. The wait is bounded by <see cref="DPoPOpenIdConnectOptions.RefreshLockTimeout"/> even when the engine does not
/// answer at all; a lock that comes after its caller gave up is released at once. Failures are warned about at most once per 30 s.
/// </summary>
internal sealed class SessionRefreshLock(
    IOptionsMonitor<DPoPOpenIdConnectOptions> optionsMonitor,
    ILoggerFactory loggerFactory,
    IDistributedLockProvider? provider = null)
{
    private static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(30);

    private readonly ILogger _logger = loggerFactory.CreateLogger(DPoPTelemetryNames.WebLogCategory);
    private long _quietUntil;
    private volatile bool _failing;

    /// <summary>Whether <paramref name="scheme"/>'s refreshes take a farm-wide lock.</summary>
    public bool IsEnabled(string scheme) => provider is not null && optionsMonitor.Get(scheme).UseDistributedRefreshLock;

    /// <summary>The lock engine's type, for messages; null without one.</summary>
    public string? ProviderName => provider?.GetType().FullName;

    /// <summary>Takes the session's lock; null when the scheme uses none. Dispose the result to release it.</summary>
    /// <exception cref="TimeoutException">Not acquired within RefreshLockTimeout (held elsewhere that long, or the engine stalled).</exception>
    /// <exception cref="InvalidOperationException">The lock engine failed; its exception is the inner one.</exception>
    public async Task<IAsyncDisposable?> AcquireAsync(string scheme, string sessionId, CancellationToken cancellationToken)
    {
        if (provider is null || optionsMonitor.Get(scheme).UseDistributedRefreshLock is false)
        {
            return null;
        }

        var options = optionsMonitor.Get(scheme);
        var timeout = options.RefreshLockTimeout;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        Task<IDistributedSynchronizationHandle?>? acquiring = null;
        var contended = false;
        try
        {
            var distributedLock = provider.CreateLock(Name(options.RefreshLockPrefix, scheme, sessionId));

            // A free lock costs one round trip; only a held one is waited for (and said so, for whoever watches the farm).
            acquiring = distributedLock.TryAcquireAsync(TimeSpan.Zero, bound.Token).AsTask();
            var handle = await acquiring.WaitAsync(bound.Token).ConfigureAwait(false);
            if (handle is null)
            {
                contended = true;
                DPoPWebLog.RefreshLockWaiting(_logger, scheme, timeout);
                acquiring = distributedLock.TryAcquireAsync(timeout, bound.Token).AsTask();
                handle = await acquiring.WaitAsync(bound.Token).ConfigureAwait(false);
            }

            if (handle is not null)
            {
                if (_failing)
                {
                    _failing = false;
                    DPoPWebLog.RefreshLockRecovered(_logger, scheme);
                }

                return new Held(handle, this, scheme);
            }
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            // The engine's own timeouts (a Redis client's 5 s) are not ours: whatever it still hands out is released.
            ReleaseWhenAcquired(acquiring);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ReportFailure(scheme, ex.GetType().Name, () => DPoPWebLog.RefreshLockFailed(_logger, scheme, ProviderName!, ex.GetType().Name));
            throw new InvalidOperationException(
                $"DPoP for OpenID Connect scheme '{scheme}': the lock engine ({ProviderName}) failed, so the user's session could not be refreshed without risking a second refresh on another instance; the session is kept and a later call tries again. The engine's exception is the inner exception.",
                ex);
        }

        var cause = contended
            ? "another instance's refresh held the session's lock that long (slow or hanging), or the lock engine stopped answering meanwhile"
            : $"the lock engine ({ProviderName}) did not answer (stalled or unreachable)";
        ReportFailure(scheme, cause, () => DPoPWebLog.RefreshLockTimedOut(_logger, scheme, timeout, cause));
        throw new TimeoutException($"DPoP for OpenID Connect scheme '{scheme}': the user's session could not be refreshed because its farm-wide refresh lock was not acquired within RefreshLockTimeout ({timeout}): {cause}. The session is kept and a later call tries again.");
    }

    /// <summary>The lock's name: the prefix and a hash, so no engine (a Redis key listing, a SQL Server lock view) shows the session id.</summary>
    internal static string Name(string prefix, string scheme, string sessionId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{scheme}\n{sessionId}"), hash);
        return prefix + Base64Url.EncodeToString(hash);
    }

    private void ReportFailure(string scheme, string cause, Action warn)
    {
        _failing = true;
        var now = Stopwatch.GetTimestamp();
        var quietUntil = Interlocked.Read(ref _quietUntil);
        if (now >= quietUntil && Interlocked.CompareExchange(ref _quietUntil, now + (long)(WarningInterval.TotalSeconds * Stopwatch.Frequency), quietUntil) == quietUntil)
        {
            warn();
        }
        else
        {
            DPoPWebLog.RefreshLockFailedAgain(_logger, scheme, cause);
        }
    }

    /// <summary>
    /// A held lock whose release never fails the refresh it guarded (stored by then): an engine that cannot release
    /// it lets it expire (DistributedLock.Redis: 30 s), and the next refresh of the session waits that long at most.
    /// </summary>
    private sealed class Held(IDistributedSynchronizationHandle handle, SessionRefreshLock owner, string scheme) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await handle.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                DPoPWebLog.RefreshLockFailedAgain(owner._logger, scheme, "releasing it failed; it expires on its own");
            }
        }
    }

    private static void ReleaseWhenAcquired(Task<IDistributedSynchronizationHandle?>? acquiring)
    {
        if (acquiring is not null)
        {
            _ = ReleaseAsync(acquiring);
        }

        static async Task ReleaseAsync(Task<IDistributedSynchronizationHandle?> acquiring)
        {
            try
            {
                if (await acquiring.ConfigureAwait(false) is { } late)
                {
                    await late.DisposeAsync().ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not null)
            {
                // The caller has already failed with its own exception; a lock the engine could not release expires there.
            }
        }
    }
}
