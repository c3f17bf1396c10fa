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

    /// <summary>Shows every counter, for logs and test failure messages.</summary>
    /// <returns>The counters as <c>Name = value</c> pairs.</returns>
    public override string ToString() =>
        $"TokenRequests = {TokenRequests}, TokensIssued = {TokensIssued}, ResourceRequests = {ResourceRequests}, " +
        $"ResourceRequestsAccepted = {ResourceRequestsAccepted}, NonceChallenges = {NonceChallenges}, " +
        $"Rejections = {Rejections}, ReplaysDetected = {ReplaysDetected}";

    internal void AddTokenRequest() => Interlocked.Increment(ref _tokenRequests);

    internal void AddTokenIssued() => Interlocked.Increment(ref _tokensIssued);

    internal void AddResourceRequest() => Interlocked.Increment(ref _resourceRequests);

    internal void AddResourceRequestAccepted() => Interlocked.Increment(ref _resourceRequestsAccepted);

    internal void AddNonceChallenge() => Interlocked.Increment(ref _nonceChallenges);

    internal void AddRejection() => Interlocked.Increment(ref _rejections);

    internal void AddReplayDetected() => Interlocked.Increment(ref _replaysDetected);
}
