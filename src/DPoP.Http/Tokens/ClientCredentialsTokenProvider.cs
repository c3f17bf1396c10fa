using System.Net.Http.Headers;

namespace DPoP.Http;

/// <summary>
/// The access token source that <c>AddClientCredentialsToken()</c> registers for a client: a token cached until
/// shortly before it expires, renewed by one request however many callers need it at once (single flight), and
/// dropped when a resource server rejects it (<c>invalid_token</c>) so the handler's one retry gets a new one.
/// </summary>
internal sealed class ClientCredentialsTokenProvider(Func<DPoPTokenClient> createClient, DPoPTokenClientOptions options, TimeProvider timeProvider)
    : IDPoPAccessTokenProvider
{
    private readonly Lock _lock = new();
    private CachedToken? _current;
    private Task<CachedToken>? _renewal;

    private int _tokenRequests;

    /// <summary>How many token requests this provider has sent (for diagnostics and tests).</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    public async ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = Volatile.Read(ref _current);
        if (token is null || timeProvider.GetUtcNow() >= token.RenewAt)
        {
            token = await GetOrStartRenewal().WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (token.Response.IsDPoPBound)
        {
            return token.Response.AccessToken;
        }

        // An allowed Bearer token: sent as Bearer, and the proof carries no ath.
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Response.AccessToken);
        return null;
    }

    public ValueTask<bool> OnAccessTokenRejectedAsync(string rejectedAccessToken, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_current is not null && string.Equals(_current.Response.AccessToken, rejectedAccessToken, StringComparison.Ordinal))
            {
                _current = null;
            }
        }

        return ValueTask.FromResult(true);
    }

    private Task<CachedToken> GetOrStartRenewal()
    {
        lock (_lock)
        {
            if (_current is { } current && timeProvider.GetUtcNow() < current.RenewAt)
            {
                return Task.FromResult(current);
            }

            // One renewal for everyone waiting; a caller that gives up does not cancel it for the others.
            return _renewal ??= RenewAsync();
        }
    }

    private async Task<CachedToken> RenewAsync()
    {
        try
        {
            await Task.Yield(); // leave the lock before the request starts
            Interlocked.Increment(ref _tokenRequests);
            // A client per renewal: IHttpClientFactory's handler rotation (DNS changes) applies to the token endpoint too.
            var response = await createClient().RequestClientCredentialsTokenAsync(CancellationToken.None).ConfigureAwait(false);
            var lifetime = response.ExpiresAt - timeProvider.GetUtcNow();
            var margin = TimeSpan.FromTicks(Math.Min(options.RefreshBeforeExpiry.Ticks, lifetime.Ticks / 2));
            var token = new CachedToken(response, response.ExpiresAt - margin);
            lock (_lock)
            {
                _current = token;
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

    private sealed record CachedToken(DPoPTokenResponse Response, DateTimeOffset RenewAt)
    {
        public override string ToString() => $"CachedToken {{ RenewAt = {RenewAt:O} }}";
    }
}
