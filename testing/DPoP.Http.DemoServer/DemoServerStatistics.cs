namespace DPoP.Http.DemoServer;

/// <summary>
/// Counters of a running <see cref="DemoServer"/>. Safe to read from any thread while requests are served; each
/// counter is read atomically, but two counters read one after the other may straddle a request.
/// </summary>
public sealed class DemoServerStatistics
{
    private long _tokenRequests;
    private long _tokensIssued;
    private long _resourceRequests;
    private long _resourceRequestsAccepted;
    private long _nonceChallenges;
    private long _rejections;
    private long _replaysDetected;
    private long _clientCredentialsGrants;
    private long _authorizationCodeGrants;
    private long _refreshTokenGrants;
    private long _authorizationRequests;
    private long _pushedAuthorizationRequests;
    private long _codesIssued;
    private long _revocations;
    private long _endSessions;

    internal DemoServerStatistics()
    {
    }

    /// <summary>Requests that reached the token endpoint, whatever their outcome.</summary>
    public long TokenRequests => Interlocked.Read(ref _tokenRequests);

    /// <summary>Access tokens issued by the token endpoint.</summary>
    public long TokensIssued => Interlocked.Read(ref _tokensIssued);

    /// <summary>Requests that reached the resource server (<c>/api/…</c>), whatever their outcome.</summary>
    public long ResourceRequests => Interlocked.Read(ref _resourceRequests);

    /// <summary>Resource requests answered with 200.</summary>
    public long ResourceRequestsAccepted => Interlocked.Read(ref _resourceRequestsAccepted);

    /// <summary><c>use_dpop_nonce</c> answers, of the token endpoint and the resource server together.</summary>
    public long NonceChallenges => Interlocked.Read(ref _nonceChallenges);

    /// <summary>Requests refused for any other reason (bad client, bad grant, bad proof, bad token, replay…).</summary>
    public long Rejections => Interlocked.Read(ref _rejections);

    /// <summary>Proofs refused because their <c>jti</c> had been seen before (also counted in <see cref="Rejections"/>).</summary>
    public long ReplaysDetected => Interlocked.Read(ref _replaysDetected);

    /// <summary>Successful <c>client_credentials</c> grants (each issued one access token).</summary>
    public long ClientCredentialsGrants => Interlocked.Read(ref _clientCredentialsGrants);

    /// <summary>Successful <c>authorization_code</c> grants: codes exchanged for tokens.</summary>
    public long AuthorizationCodeGrants => Interlocked.Read(ref _authorizationCodeGrants);

    /// <summary>Successful <c>refresh_token</c> grants: refresh tokens used (and rotated) for new tokens.</summary>
    public long RefreshTokenGrants => Interlocked.Read(ref _refreshTokenGrants);

    /// <summary>Requests that reached the authorization endpoint (<c>/connect/authorize</c>), whatever their outcome.</summary>
    public long AuthorizationRequests => Interlocked.Read(ref _authorizationRequests);

    /// <summary>Pushed authorization requests accepted (RFC 9126: a <c>request_uri</c> was issued).</summary>
    public long PushedAuthorizationRequests => Interlocked.Read(ref _pushedAuthorizationRequests);

    /// <summary>Sign-ins completed: authorization codes issued.</summary>
    public long CodesIssued => Interlocked.Read(ref _codesIssued);

    /// <summary>Refresh or access tokens revoked at the revocation endpoint (RFC 7009); unknown tokens do not count.</summary>
    public long Revocations => Interlocked.Read(ref _revocations);

    /// <summary>Requests to the end-session endpoint that signed a user out.</summary>
    public long EndSessions => Interlocked.Read(ref _endSessions);

    /// <summary>The successful grants of one grant type, by its <c>grant_type</c> value.</summary>
    /// <param name="grantType"><c>client_credentials</c>, <c>authorization_code</c> or <c>refresh_token</c>.</param>
    /// <returns>The count; 0 for a grant type this server does not know.</returns>
    public long GrantsOf(string grantType) => grantType switch
    {
        "client_credentials" => ClientCredentialsGrants,
        "authorization_code" => AuthorizationCodeGrants,
        "refresh_token" => RefreshTokenGrants,
        _ => 0,
    };

    /// <summary>Shows every counter, for logs and test failure messages.</summary>
    /// <returns>The counters as <c>Name = value</c> pairs.</returns>
    public override string ToString() =>
        $"TokenRequests = {TokenRequests}, TokensIssued = {TokensIssued}, ResourceRequests = {ResourceRequests}, " +
        $"ResourceRequestsAccepted = {ResourceRequestsAccepted}, NonceChallenges = {NonceChallenges}, " +
        $"Rejections = {Rejections}, ReplaysDetected = {ReplaysDetected}, ClientCredentialsGrants = {ClientCredentialsGrants}, " +
        $"AuthorizationCodeGrants = {AuthorizationCodeGrants}, RefreshTokenGrants = {RefreshTokenGrants}, " +
        $"AuthorizationRequests = {AuthorizationRequests}, PushedAuthorizationRequests = {PushedAuthorizationRequests}, " +
        $"CodesIssued = {CodesIssued}, Revocations = {Revocations}, EndSessions = {EndSessions}";

    internal void AddTokenRequest() => Interlocked.Increment(ref _tokenRequests);

    internal void AddTokenIssued() => Interlocked.Increment(ref _tokensIssued);

    internal void AddResourceRequest() => Interlocked.Increment(ref _resourceRequests);

    internal void AddResourceRequestAccepted() => Interlocked.Increment(ref _resourceRequestsAccepted);

    internal void AddNonceChallenge() => Interlocked.Increment(ref _nonceChallenges);

    internal void AddRejection() => Interlocked.Increment(ref _rejections);

    internal void AddReplayDetected() => Interlocked.Increment(ref _replaysDetected);

    internal void AddGrant(string grantType)
    {
        switch (grantType)
        {
            case "client_credentials":
                Interlocked.Increment(ref _clientCredentialsGrants);
                break;
            case "authorization_code":
                Interlocked.Increment(ref _authorizationCodeGrants);
                break;
            case "refresh_token":
                Interlocked.Increment(ref _refreshTokenGrants);
                break;
        }
    }

    internal void AddAuthorizationRequest() => Interlocked.Increment(ref _authorizationRequests);

    internal void AddPushedAuthorizationRequest() => Interlocked.Increment(ref _pushedAuthorizationRequests);

    internal void AddCodeIssued() => Interlocked.Increment(ref _codesIssued);

    internal void AddRevocation() => Interlocked.Increment(ref _revocations);

    internal void AddEndSession() => Interlocked.Increment(ref _endSessions);
}
