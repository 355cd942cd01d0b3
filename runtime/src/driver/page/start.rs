//! A run's first request, resolved from its descriptor before anything is sent: arguments,
//! settings and the run's time bound into path, query and body, the incremental start, the
//! paginator's first step or the resume point, and the origin the run's credentials are
//! pinned to.

use std::sync::Arc;

use super::*;

/// Resolves the first request of `request`: path and parameters with their placeholders
/// bound, the JSON body, incremental values, the paginator's first parameters.
pub(crate) fn start<T>(request: ResourceRequest<T>) -> Result<(Arc<Shared>, Walk), Error> {
    let d = &request.descriptor;
    let first_page = request.resume.as_ref().map_or(1, |point| point.page.max(1));
    let at = |url: &str| Location::new(d.name.as_ref(), first_page, url);
    // A resumed run starts where the failed one did, with the progress it made.
    let incremental = match &request.resume {
        Some(point) => stop::resume_incremental(point, &d.name, request.incremental.clone())?,
        None => request.incremental.clone(),
    };
    // Arguments, plus `{incremental.*}` values when the endpoint is incremental.
    // bounds written as settings are read now, from the client's values
    let config = d
        .incremental
        .as_ref()
        .map(|config| crate::incremental::settings::bind(config, &request.core, &d.name))
        .transpose()?;
    let filter = config
        .as_deref()
        .map(|config| incremental.clone().unwrap_or_default().begin(config))
        .transpose()
        .map_err(|e| {
            Error::Invalid(format!(
                "incremental start of resource `{}`: {}",
                d.name, e.0
            ))
        })?;
    // the client's secrets and settings first: a call's own arguments win
    let mut args = request.core.placeholder_values();
    args.extend(request.path_args.iter().cloned());
    if let Some(filter) = &filter {
        args.extend(filter.placeholders());
    }
    // every template of the run reads the client's settings and one reading of its clock
    let setting = |name: &str| request.core.setting(name);
    let run = RunValues {
        setting: &setting,
        now: request.core.now(),
    };
    // templates the request sends: once per run, all pages alike
    if !d.computed.is_empty() {
        args.extend(crate::expr::request::bind(&d.computed, &d.name, &run)?);
    }
    let path = fill_path(&d.path, &args, &d.name)?;
    let joined = request.core.request_url(&path);
    let url = url::Url::parse(&joined).map_err(|source| Error::Url {
        what: format!(
            "URL `{}` of resource `{}`",
            crate::secret::redact_text(&joined, request.core.secrets()),
            d.name
        ),
        source,
    })?;
    let mut query = Vec::with_capacity(d.params.len() + request.extra_params.len());
    for param in d.params.iter() {
        query.push((
            param.name.to_string(),
            fill_placeholders(&param.value, &args, false)?,
        ));
    }
    let json = d
        .json_body
        .as_deref()
        .map(|text| {
            let mut body: serde_json::Value = serde_json::from_str(text)
                .map_err(|e| Error::Invalid(format!("JSON body of `{}`: {e}", d.name)))?;
            fill_json(&mut body, &args)?;
            Ok::<_, Error>(body)
        })
        .transpose()?;
    let mut state = RequestState::new(url, query, json);
    for (k, v) in filter.iter().flat_map(RunFilter::query) {
        state.set_query(&k, v);
    }
    // The first value of a key replaces the spec's; more values of it (a list) repeat it.
    for (i, (k, v)) in request.extra_params.iter().enumerate() {
        if request.extra_params[..i].iter().any(|(seen, _)| seen == k) {
            state.query.push((k.clone(), v.clone()));
        } else {
            state.set_query(k, v.clone());
        }
    }
    let paginator_config = d.paginator.for_run(&run);
    let mut paginator = match &*paginator_config {
        crate::descriptor::PaginatorConfig::Custom { name } => {
            Paginator::custom(&paginator_config, request.core.custom_paginator(name)?)
        }
        config => Paginator::new(config).map_err(|source| Error::Pagination {
            at: at(&redact_url(&state.full_url(), request.core.secrets())),
            source: redact_pagination(source, request.core.secrets()),
        })?,
    };
    paginator.init_request(&mut state);
    if let Some(point) = &request.resume {
        stop::resume_request(point, &mut paginator, &mut state).map_err(|source| {
            Error::Pagination {
                at: at(&point.url),
                source,
            }
        })?;
    }
    let origin = url::Url::parse(request.core.base_url())
        .map(|u| u.origin())
        .map_err(|source| Error::Url {
            what: "base URL".into(),
            source,
        })?;
    let selector = request.descriptor.data_selector.clone();
    let walk = Walk {
        paginator,
        state,
        page: first_page - 1,
        records: 0,
        last_len: 0,
        selector,
        filter,
        // a resumed run's limit counts its own pages
        max_pages: request
            .max_pages
            .map(|max| max.saturating_add(first_page - 1)),
        max_records: request.max_records,
        next_fails: None,
        hidden: request.core.secrets().to_vec(),
        decoding: request.decoding.clone(),
        steps: d
            .processing_steps
            .iter()
            .map(|step| step.for_run(&run))
            .collect(),
        user_steps: request.steps.clone(),
    };
    // response rules whose predicates read settings get them now, as the paginator does
    let descriptor = match crate::rules::for_run(&d.response_actions, &run) {
        Some(actions) => {
            let mut bound = request.descriptor.into_owned();
            bound.response_actions = std::borrow::Cow::Owned(actions);
            std::borrow::Cow::Owned(bound)
        }
        None => request.descriptor,
    };
    let shared = Shared {
        core: request.core,
        descriptor,
        args,
        origin,
    };
    Ok((Arc::new(shared), walk))
}
