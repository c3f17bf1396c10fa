using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace DPoP.Http.DemoServer;

/// <summary>
/// The server-side state of the code flow: authorization requests waiting for a sign-in (direct or pushed), issued
/// codes and refresh tokens, the grant of each code-flow access token, and what was revoked. Every lookup checks expiry by the server's clock. Thread-safe.
/// </summary>
internal sealed class AuthorizationState
{
    /// <summary>RFC 9126 §2.2: the prefix of the request_uri values the PAR endpoint returns.</summary>
    public const string RequestUriPrefix = "urn:ietf:params:oauth:request_uri:";

    /// <summary>How long a pushed or displayed request waits for its sign-in.</summary>
    public static readonly TimeSpan PendingRequestLifetime = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, (AuthorizationRequest Request, DateTimeOffset ExpiresAt)> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IssuedCode> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IssuedRefreshToken> _refreshTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _revokedGrants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string? GrantId, DateTimeOffset ExpiresAt)> _accessTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _revokedAccessTokens = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private int _inserts;

    public AuthorizationState(TimeProvider timeProvider) => _timeProvider = timeProvider;

    /// <summary>Keeps a request until a sign-in completes it; returns its id (also the tail of a PAR request_uri).</summary>
    public string AddPending(AuthorizationRequest request)
    {
        var id = NewHandle();
        _pending[id] = (request, _timeProvider.GetUtcNow() + PendingRequestLifetime);
        PurgeNow();
        return id;
    }

    /// <summary>The pending request, if it exists and has not expired; it stays pending.</summary>
    public AuthorizationRequest? FindPending(string id) =>
        _pending.TryGetValue(id, out var entry) && entry.ExpiresAt > _timeProvider.GetUtcNow() ? entry.Request : null;

    /// <summary>Removes the pending request and returns it, if it exists and has not expired (each completes once).</summary>
    public AuthorizationRequest? TakePending(string id) =>
        _pending.TryRemove(id, out var entry) && entry.ExpiresAt > _timeProvider.GetUtcNow() ? entry.Request : null;

    public string AddCode(IssuedCode code)
    {
        var value = NewHandle();
        _codes[value] = code;
        PurgeNow();
        return value;
    }

    /// <summary>The code, redeemed or not, while it has not expired.</summary>
    public IssuedCode? FindCode(string value) =>
        _codes.TryGetValue(value, out var code) && code.ExpiresAt > _timeProvider.GetUtcNow() ? code : null;

    public string AddRefreshToken(IssuedRefreshToken token)
    {
        var value = NewHandle();
        _refreshTokens[value] = token;
        PurgeNow();
        return value;
    }

    /// <summary>The refresh token, used or not, while it has not expired and its grant is not revoked.</summary>
    public IssuedRefreshToken? FindRefreshToken(string value) =>
        _refreshTokens.TryGetValue(value, out var token) && token.ExpiresAt > _timeProvider.GetUtcNow() && !IsRevoked(token.GrantId)
            ? token
            : null;

    /// <summary>Revokes a grant: every refresh token descended from its code stops working.</summary>
    public void RevokeGrant(string grantId) => _revokedGrants[grantId] = 0;

    public bool IsRevoked(string grantId) => _revokedGrants.ContainsKey(grantId);

    /// <summary>Remembers which grant an access token (by <c>jti</c>) came from, so revoking the grant revokes it too (RFC 7009 §2.1).</summary>
    public void RecordAccessToken(string jti, string grantId, DateTimeOffset expiresAt)
    {
        _accessTokens[jti] = (grantId, expiresAt);
        PurgeNow();
    }

    /// <summary>Revokes one access token until it expires anyway.</summary>
    public void RevokeAccessToken(string jti, DateTimeOffset expiresAt) => _revokedAccessTokens[jti] = expiresAt;

    /// <summary>Whether the access token was revoked, by itself or with its grant.</summary>
    public bool IsAccessTokenRevoked(string jti) =>
        _revokedAccessTokens.ContainsKey(jti) ||
        (_accessTokens.TryGetValue(jti, out var entry) && entry.GrantId is not null && IsRevoked(entry.GrantId));

    /// <summary>256 random bits in base64url: the codes, refresh tokens and request ids of this server.</summary>
    public static string NewHandle() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    // Expired entries go now and then, so a long-running sample does not grow without bound.
    private void PurgeNow()
    {
        if (Interlocked.Increment(ref _inserts) % 256 != 0)
        {
            return;
        }

        var now = _timeProvider.GetUtcNow();
        foreach (var entry in _pending)
        {
            if (entry.Value.ExpiresAt <= now)
            {
                _pending.TryRemove(entry.Key, out _);
            }
        }

        foreach (var entry in _codes)
        {
            if (entry.Value.ExpiresAt <= now)
            {
                _codes.TryRemove(entry.Key, out _);
            }
        }

        foreach (var entry in _refreshTokens)
        {
            if (entry.Value.ExpiresAt <= now)
            {
                _refreshTokens.TryRemove(entry.Key, out _);
            }
        }

        foreach (var entry in _accessTokens)
        {
            if (entry.Value.ExpiresAt <= now)
            {
                _accessTokens.TryRemove(entry.Key, out _);
            }
        }

        foreach (var entry in _revokedAccessTokens)
        {
            if (entry.Value <= now)
            {
                _revokedAccessTokens.TryRemove(entry.Key, out _);
            }
        }
    }
}
