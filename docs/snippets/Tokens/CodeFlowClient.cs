using DPoP.Http;

namespace DPoP.Http.Docs.Snippets.Tokens;

/// <summary>
/// A native or console app's authorization code flow: one DPoP key that outlives the process (a DPoP-bound refresh
/// token is useless without it), the code bound with dpop_jkt, then refresh and revocation through the same key.
/// </summary>
public sealed class CodeFlowClient : IDisposable
{
    private readonly DPoPKey _key;
    private readonly HttpClient _http;
    private readonly DPoPTokenClient _tokens;

    #region code-client
    public CodeFlowClient(string keyPemPath)
    {
        _key = DPoPKey.FromPem(File.ReadAllText(keyPemPath)); // kept across runs, never generated per run
        _http = new HttpClient(new DPoPDelegatingHandler(_key) { InnerHandler = new SocketsHttpHandler() });
        _tokens = new DPoPTokenClient(_http, new DPoPTokenClientOptions
        {
            TokenEndpoint = new Uri("https://login.example.com/oauth2/token"),
            RevocationEndpoint = new Uri("https://login.example.com/oauth2/revoke"),
            ClientId = "orders-desktop",
            ClientAuthentication = DPoPClientAuthenticationMethod.None, // a public client
        });
    }
    #endregion

    #region authorize
    public Uri AuthorizationRequest(string state, string codeChallenge) => DPoPAuthorizationRequests.AddDPoPJkt(
        new Uri("https://login.example.com/oauth2/authorize?response_type=code&client_id=orders-desktop"
            + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A7890%2Fcallback&scope=openid%20orders.read%20offline_access"
            + $"&state={state}&code_challenge={codeChallenge}&code_challenge_method=S256"),
        _key); // adds dpop_jkt: the code can only be redeemed with this key
    #endregion

    #region redeem-refresh-revoke
    public async Task<DPoPTokenResponse> RedeemAsync(string code, string codeVerifier, CancellationToken cancellationToken) =>
        await _tokens.ExchangeAuthorizationCodeAsync(code, new Uri("http://127.0.0.1:7890/callback"), codeVerifier, cancellationToken);

    public async Task<DPoPTokenResponse> RefreshAsync(string refreshToken, CancellationToken cancellationToken) =>
        await _tokens.RefreshTokenAsync(refreshToken, scope: null, cancellationToken); // keep the new refresh token it returns

    public async Task SignOutAsync(string refreshToken, CancellationToken cancellationToken) =>
        await _tokens.RevokeTokenAsync(refreshToken, "refresh_token", cancellationToken);
    #endregion

    public void Dispose()
    {
        _http.Dispose();
        _key.Dispose();
    }
}
