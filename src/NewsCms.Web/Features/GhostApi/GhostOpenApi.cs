using Microsoft.AspNetCore.OpenApi;

namespace NewsCms.Web.Features.GhostApi;

/// <summary>
/// The OpenAPI document at /openapi/v1.json: the Ghost-compatible APIs only (not the site's pages, the newsroom or
/// the account endpoints), served to anyone, as the APIs' own documentation is public.
/// </summary>
public static class GhostOpenApi
{
    public static void Configure(OpenApiOptions options)
    {
        options.ShouldInclude = description => description.RelativePath?.StartsWith("ghost/api/", StringComparison.Ordinal) == true;
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "NewsCms: Ghost-compatible APIs";
            document.Info.Description = "The Content API (read-only, published content, ?key=<Content API key>) and the Admin API "
                + "(Authorization: Ghost <token signed with the Admin API key>) in Ghost's shapes.";
            return Task.CompletedTask;
        });
        // With fields= an item carries only the fields asked for: none of its properties is required.
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonTypeInfo.Type == typeof(GhostPost) || context.JsonTypeInfo.Type == typeof(GhostTag) || context.JsonTypeInfo.Type == typeof(GhostAuthor))
            {
                schema.Required?.Clear();
            }
            // A property left out when null (meta on a read) may be absent: not required.
            foreach (var property in context.JsonTypeInfo.Properties)
            {
                if (property.ShouldSerialize is not null) schema.Required?.Remove(property.Name);
            }
            return Task.CompletedTask;
        });
    }
}
