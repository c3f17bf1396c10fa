using System.Text.Json.Nodes;

namespace DPoP.Http.InteropTests.AspNetCore.Support;

/// <summary>
/// The OpenID Connect handler's backchannel with a provider whose discovery document says what a test wants: the
/// real document from oidc-provider, with the members in <paramref name="overrides"/> replaced (null removes one).
/// </summary>
internal sealed class DiscoveryRewritingHandler(IReadOnlyDictionary<string, string?> overrides) : DelegatingHandler(new SocketsHttpHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.RequestUri?.AbsolutePath.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal) != true || !response.IsSuccessStatusCode)
        {
            return response;
        }

        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!.AsObject();
        foreach (var (name, value) in overrides)
        {
            if (value is null)
            {
                document.Remove(name);
            }
            else
            {
                document[name] = value;
            }
        }

        response.Content = new StringContent(document.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        return response;
    }
}
