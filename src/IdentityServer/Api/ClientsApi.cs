using System.Globalization;
using IdentityHost.IdentityServer.Clients;
using IdentityHost.IdentityServer.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityHost.IdentityServer.Api;

/// <summary>
/// <c>/api/clients</c>, for administrators: the applications allowed to ask for tokens. Clients from configuration are
/// listed (source <c>configuration</c>) and read-only (409); clients made here live in the database (source <c>api</c>).
/// </summary>
public static class ClientsApi
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 200;

    /// <summary>
    /// Maps <c>GET /api/clients</c> (<c>?page</c>, <c>?pageSize</c>), <c>GET /api/clients/{clientId}</c>,
    /// <c>POST /api/clients</c>, <c>PUT /api/clients/{clientId}</c>, <c>DELETE /api/clients/{clientId}</c> and
    /// <c>POST /api/clients/{clientId}/secret</c>, all under <see cref="AuthorizationPolicies.Admin"/>.
    /// </summary>
    public static IEndpointRouteBuilder MapClientsApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var clients = endpoints.MapGroup("/api/clients").WithTags("Clients").WithRequestValidation().DisableAntiforgery()
            .RequireAuthorization(AuthorizationPolicies.Admin);
        clients.MapGet(string.Empty, ListAsync).Answers(StatusCodes.Status400BadRequest, "The page or page size is not valid.");
        clients.MapGet("/{clientId}", GetAsync).Answers(StatusCodes.Status404NotFound, "No client has this id.");
        clients.MapPost(string.Empty, CreateAsync).Answers(StatusCodes.Status409Conflict, "A client has this id already.");
        clients.MapPut("/{clientId}", UpdateAsync)
            .Answers(StatusCodes.Status404NotFound, "No client has this id.")
            .Answers(StatusCodes.Status409Conflict, "The client comes from configuration and is read-only here.");
        clients.MapDelete("/{clientId}", DeleteAsync)
            .Answers(StatusCodes.Status404NotFound, "No client has this id.")
            .Answers(StatusCodes.Status409Conflict, "The client comes from configuration and is read-only here.");
        clients.MapPost("/{clientId}/secret", RotateSecretAsync)
            .Answers(StatusCodes.Status400BadRequest, "The client is public and has no secret.")
            .Answers(StatusCodes.Status404NotFound, "No client has this id.")
            .Answers(StatusCodes.Status409Conflict, "The client comes from configuration and is read-only here.");
        return endpoints;
    }

    private static async Task<Results<Ok<ClientPageResponse>, ValidationProblem>> ListAsync(
        string? page, string? pageSize, ClientAdministration clients, HttpContext context)
    {
        var number = 1;
        if (page is not null && (!int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number < 1))
        {
            return ErrorResponses.Invalid("page", "The page must be a whole number from 1.");
        }

        var size = DefaultPageSize;
        if (pageSize is not null &&
            (!int.TryParse(pageSize, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1 || size > MaxPageSize))
        {
            return ErrorResponses.Invalid("pageSize", $"The page size must be a whole number from 1 to {MaxPageSize}.");
        }

        var items = await clients.ListAsync((int)Math.Min((long)(number - 1) * size, int.MaxValue), size, context.RequestAborted);
        var total = await clients.CountAsync(context.RequestAborted);
        return TypedResults.Ok(new ClientPageResponse([.. items.Select(client => ClientResponse.For(client))], number, size, total));
    }

    private static async Task<Results<Ok<ClientResponse>, ProblemHttpResult>> GetAsync(
        string clientId, ClientAdministration clients, HttpContext context) =>
        await clients.FindAsync(clientId, context.RequestAborted) is { } client
            ? TypedResults.Ok(ClientResponse.For(client))
            : NoSuchClient();

    private static async Task<Results<Created<ClientResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        ClientRequest body, ClientAdministration clients, HttpContext context)
    {
        if (string.IsNullOrWhiteSpace(body.ClientId))
        {
            return ErrorResponses.Invalid("clientId", "A client id is required.");
        }

        var result = await clients.CreateAsync(body.ToRegistration(body.ClientId), body.Confidential ?? false, Administrator(context), context.RequestAborted);
        return result.Outcome switch
        {
            ClientChangeOutcome.Done => TypedResults.Created($"/api/clients/{Uri.EscapeDataString(body.ClientId)}", ClientResponse.For(result.Client!, result.Secret)),
            ClientChangeOutcome.Exists => ErrorResponses.Conflict("Client exists", "A client has this id already."),
            _ => Invalid(result),
        };
    }

    private static async Task<Results<Ok<ClientResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string clientId, ClientRequest body, ClientAdministration clients, HttpContext context)
    {
        if (body.ClientId is not null && body.ClientId != clientId)
        {
            return ErrorResponses.Invalid("clientId", "A client's id cannot change; leave it out or give the same.");
        }

        var result = await clients.UpdateAsync(clientId, body.ToRegistration(clientId), Administrator(context), context.RequestAborted);
        return result.Outcome switch
        {
            ClientChangeOutcome.Done => TypedResults.Ok(ClientResponse.For(result.Client!)),
            ClientChangeOutcome.NotFound => NoSuchClient(),
            ClientChangeOutcome.ReadOnly => ReadOnly(),
            _ => Invalid(result),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string clientId, ClientAdministration clients, HttpContext context) =>
        await clients.DeleteAsync(clientId, Administrator(context), context.RequestAborted) switch
        {
            ClientChangeOutcome.Done => TypedResults.NoContent(),
            ClientChangeOutcome.ReadOnly => ReadOnly(),
            _ => NoSuchClient(),
        };

    private static async Task<Results<Ok<ClientResponse>, ValidationProblem, ProblemHttpResult>> RotateSecretAsync(
        string clientId, ClientAdministration clients, HttpContext context)
    {
        var result = await clients.RotateSecretAsync(clientId, Administrator(context), context.RequestAborted);
        return result.Outcome switch
        {
            ClientChangeOutcome.Done => TypedResults.Ok(ClientResponse.For(result.Client!, result.Secret)),
            ClientChangeOutcome.NotFound => NoSuchClient(),
            ClientChangeOutcome.ReadOnly => ReadOnly(),
            _ => Invalid(result),
        };
    }

    private static string Administrator(HttpContext context) => context.User.GetClaim(Claims.Subject)!;

    private static ProblemHttpResult NoSuchClient() => ErrorResponses.NotFound("No client has this id.");

    private static ProblemHttpResult ReadOnly() => ErrorResponses.Conflict(
        "Client from configuration", "This client comes from OpenIddict:Clients; change it there and restart.");

    private static ValidationProblem Invalid(ClientChangeResult result) => TypedResults.ValidationProblem(
        result.Problems!.GroupBy(problem => problem.Field).ToDictionary(group => group.Key, group => group.Select(problem => problem.Message).ToArray()),
        title: "The client settings are not valid.");
}
