using System.Security.Claims;
using DPoP.Http.AspNetCore;

namespace DPoP.Http.Docs.Snippets.Web;

#region user-proof-handler
/// <summary>
/// Signs each request of a client this app does not build through IHttpClientFactory (a SignalR connection, a gRPC
/// channel, a third-party SDK) with the user's token and a fresh proof of the session key.
/// </summary>
public sealed class UserProofHandler(IDPoPUserAccessTokens tokens, ClaimsPrincipal user) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var token = await tokens.GetAccessTokenAsync(user, "oidc", cancellationToken: cancellationToken);
        var proof = DPoPProof.Create(token.Key, request.Method, request.RequestUri!, token.AccessToken);
        foreach (var (name, value) in DPoPHeaders.Build(proof, token.AccessToken))
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
#endregion
