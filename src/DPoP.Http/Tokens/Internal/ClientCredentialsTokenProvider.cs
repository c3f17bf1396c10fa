using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.Internal;

/// <summary>
/// The access token source that <c>AddClientCredentialsToken()</c> registers for a client: a token cached until
/// shortly before it expires, renewed by one request however many callers need it at once (single flight), and
/// dropped when a resource server rejects it (<c>invalid_token</c>) so the handler's one retry gets a new one.
/// </summary>
/// <remarks>
/// Inside the <see cref="DPoPTokenClientOptions.RefreshBeforeExpiry"/> window the cached token is still valid, so the
/// renewal runs in the background and every caller keeps using the cached token without waiting. When that early
/// renewal fails (an error status, a malformed answer, a network error, a timeout), the failure is logged and the
/// token stays in use; the next attempt waits 1 s, then 2, 4, 8, 16 and at most 30 s after each further failure,
/// and never later than the token's expiry. Only callers without a valid token (none yet, expired, or rejected by a
/// resource server) wait for a renewal and get its error.
/// <para>
/// With a <see cref="DPoPSharedTokenCache"/> (the app registered a HybridCache), a renewal first looks for a token
/// another instance stored under the same key (endpoint, client, scope, resources, audience and the thumbprint of this
/// client's DPoP key), waiting at most <see cref="DPoPTokenClientOptions.SharedCacheTimeout"/>, and stores the token it
/// fetches itself. The hot path never touches that cache: it stays a field read and a clock check.
/// </para>
/// </remarks>
internal sealed class ClientCredentialsTokenProvider : IDPoPAccessTokenProvider
{
    /// <summary>The wait after the first failed early renewal; doubled after each further failure up to <see cref="MaxRetryDelay"/>.</summary>
    internal static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between early renewal attempts.</summary>
    internal static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly string _clientName;
    private readonly Func<DPoPTokenClient> _createClient;
    private readonly DPoPTokenClientOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ClientCredentialsSharedTokens? _shared;
    private readonly Lock _lock = new();
    private CachedToken? _current;
    private Task<CachedToken>? _renewal;

    // When the next early renewal may start (UTC ticks; 0 = now), and the failures since the last success. Written
    // under _lock; the ticks are read without it on the path of callers inside the window.
    private long _nextEarlyRenewalTicks;
    private int _failedRenewals;

    private int _tokenRequests;
    private int _sharedCacheHits;

    // The last token a resource server rejected: a shared entry still holding it is not taken again. Under _lock.
    private string? _rejectedToken;

    // The shared cache key of the last key thumbprint seen (keys rarely change; hashing once per renewal is cheap anyway).
    public ClientCredentialsTokenProvider(
        string clientName,
        Func<DPoPTokenClient> createClient,
        DPoPTokenClientOptions options,
        TimeProvider timeProvider,
        ILogger logger,
        DPoPSharedTokenCache? sharedCache = null,
        Func<CancellationToken, ValueTask<DPoPKey>>? keySource = null)
    {
        _shared = sharedCache is not null && keySource is not null && options.SharedCacheTimeout > TimeSpan.Zero
            ? new ClientCredentialsSharedTokens(sharedCache, keySource, options, timeProvider, logger, clientName)
            : null;
        _clientName = clientName;
        _createClient = createClient;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>How many token requests this provider has sent (for diagnostics and tests).</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>How many renewals took a token from the shared cache instead of the token endpoint (for diagnostics and tests).</summary>
    public int SharedCacheHits => Volatile.Read(ref _sharedCacheHits);

    /// <summary>Whether tokens are shared through the app's HybridCache.</summary>
    internal bool UsesSharedCache => _shared is not null;

    /// <summary>Completes (never faults) when the renewal in flight, if any, has stored its token or its failure. For tests.</summary>
    internal Task WhenRenewalSettled
    {
        get
        {
            Task? renewal;
            lock (_lock)
            {
                renewal = _renewal;
            }

            return renewal is null ? Task.CompletedTask : renewal.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private LoggedOrigin Origin => new(_options.TokenEndpoint!);

    public ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The hot path: a cached token outside the renewal window, no lock, no allocation.
        var token = Volatile.Read(ref _current);
        if (token is not null)
        {
            var now = _timeProvider.GetUtcNow();
            if (now < token.RenewAt)
            {
                return new ValueTask<string?>(Use(token, request));
            }

            if (now < token.ExpiresAt)
            {
                RenewInBackground(token, now);
                return new ValueTask<string?>(Use(token, request));
            }
        }

        return WaitForRenewalAsync(request, cancellationToken);
    }

    public ValueTask<bool> OnAccessTokenRejectedAsync(string rejectedAccessToken, CancellationToken cancellationToken)
    {
        var dropped = false;
        lock (_lock)
        {
            if (_current is not null && string.Equals(_current.Response.AccessToken, rejectedAccessToken, StringComparison.Ordinal))
            {
                _current = null;
                _rejectedToken = rejectedAccessToken;
                dropped = true;
            }
        }

        if (dropped)
        {
            DPoPTokenLog.TokenDropped(_logger, _clientName);
        }

        return ValueTask.FromResult(true);
    }

    private static string? Use(CachedToken token, HttpRequestMessage request)
    {
        if (token.Response.IsDPoPBound)
        {
            return token.Response.AccessToken;
        }

        // An allowed Bearer token: sent as Bearer, and the proof carries no ath.
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Response.AccessToken);
        return null;
    }

    private async ValueTask<string?> WaitForRenewalAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // A caller that gives up stops waiting; the renewal it shares with others goes on.
        var token = await GetOrStartRenewal().WaitAsync(cancellationToken).ConfigureAwait(false);
        return Use(token, request);
    }

    /// <summary>A valid token, or the renewal everyone without one waits for.</summary>
    private Task<CachedToken> GetOrStartRenewal()
    {
        lock (_lock)
        {
            if (_current is { } current && _timeProvider.GetUtcNow() < current.ExpiresAt)
            {
                return Task.FromResult(current);
            }

            return _renewal ??= StartRenewal();
        }
    }

    /// <summary>Starts a renewal nobody waits for, unless one is running, the back-off holds, or the token was replaced.</summary>
    private void RenewInBackground(CachedToken token, DateTimeOffset now)
    {
        if (Volatile.Read(ref _renewal) is not null || now.UtcTicks < Volatile.Read(ref _nextEarlyRenewalTicks))
        {
            return;
        }

        lock (_lock)
        {
            if (_renewal is null && now.UtcTicks >= _nextEarlyRenewalTicks && ReferenceEquals(_current, token))
            {
                _renewal = StartRenewal();
            }
        }
    }

    /// <summary>Starts the one renewal in flight; call under <see cref="_lock"/>.</summary>
    private Task<CachedToken> StartRenewal()
    {
        var renewal = RenewAsync();

        // A background renewal may have no one awaiting it: observe its failure (already logged) here.
        _ = renewal.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return renewal;
    }

    private async Task<CachedToken> RenewAsync()
    {
        try
        {
            await Task.Yield(); // leave the lock, and the caller that started a background renewal, before the request starts
            string? rejected;
            lock (_lock)
            {
                rejected = _rejectedToken;
            }

            var (shared, sharedKey) = _shared is null ? default : await _shared.LookUpAsync(rejected).ConfigureAwait(false);
            if (shared is not null)
            {
                Interlocked.Increment(ref _sharedCacheHits);
                return OnRenewed(shared.Response, shared.RenewAt, fromSharedCache: true);
            }

            Interlocked.Increment(ref _tokenRequests);
            DPoPTokenResponse response;
            try
            {
                // A client per renewal: IHttpClientFactory's handler rotation (DNS changes) applies to the token endpoint too.
                // Never cancelled by a caller: the renewal is shared (HttpClient.Timeout still bounds it).
                response = await _createClient().RequestClientCredentialsTokenAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                OnRenewalFailed(ex);
                throw;
            }

            var token = OnRenewed(response);
            if (sharedKey is { } stored)
            {
                _shared!.Share(stored, token.Response, token.RenewAt);
            }

            return token;
        }
        finally
        {
            lock (_lock)
            {
                _renewal = null;
            }
        }
    }

    private CachedToken OnRenewed(DPoPTokenResponse response, DateTimeOffset? renewAt = null, bool fromSharedCache = false)
    {
        var now = _timeProvider.GetUtcNow();

        // ExpiresAt is saturated (never past year 9999) and both times are in range, so the subtraction cannot
        // overflow; a lifetime already over (a slow answer, a clock that moved) renews on the next call.
        var lifetime = response.ExpiresAt - now;
        var margin = lifetime <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Min(_options.RefreshBeforeExpiry.Ticks, lifetime.Ticks / 2));
        var token = new CachedToken(response, renewAt ?? response.ExpiresAt - margin);
        int failures;
        lock (_lock)
        {
            _current = token;
            failures = _failedRenewals;
            _failedRenewals = 0;
            Volatile.Write(ref _nextEarlyRenewalTicks, 0);
        }

        DPoPTokenLog.Renewed(_logger, _clientName, Origin, response.IsDPoPBound, lifetime, token.RenewAt - now, fromSharedCache, failures);
        return token;
    }

    private void OnRenewalFailed(Exception exception)
    {
        var now = _timeProvider.GetUtcNow();
        CachedToken? valid;
        TimeSpan delay = default;
        lock (_lock)
        {
            valid = _current is { } current && now < current.ExpiresAt ? current : null;
            var failures = ++_failedRenewals;
            if (valid is not null)
            {
                // Back off: 1, 2, 4, 8, 16, 30, 30, … s, and never past expiry (then callers wait for a renewal anyway).
                delay = failures > 5 ? MaxRetryDelay : TimeSpan.FromTicks(Math.Min(FirstRetryDelay.Ticks << (failures - 1), MaxRetryDelay.Ticks));
                var next = DPoPTokenResponseReader.AddClamped(now, delay);
                Volatile.Write(ref _nextEarlyRenewalTicks, (next < valid.ExpiresAt ? next : valid.ExpiresAt).UtcTicks);
            }
        }

        DPoPTokenLog.RenewalFailed(_logger, _clientName, Origin, exception, valid is null ? null : valid.ExpiresAt - now, delay);
    }

    private sealed record CachedToken(DPoPTokenResponse Response, DateTimeOffset RenewAt)
    {
        public DateTimeOffset ExpiresAt => Response.ExpiresAt;

        public override string ToString() => $"CachedToken {{ RenewAt = {RenewAt:O} }}";
    }
}
