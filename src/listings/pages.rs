//! The pages every listing kind shares, written once: the create and edit forms, lifecycle
//! buttons, 发起对接, "my listings" and the review queue, and the common part of a detail page.
//! [`crate::listing_pages!`] mounts them for a kind under its base path.

use rocket::http::Status as HttpStatus;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use serde_json::{Value, json};

use super::SharedPage;
use super::contacts;
use super::kind::{Listing, ListingAction, ListingRow, ListingStatus, version_of};
use super::lifecycle::{self, owns};
use super::store::{self, ListFilter};
use crate::auth::{Acting, CurrentUser};
use crate::config::Settings;
use crate::db::Db;
use crate::domain::forms::FieldErrors;
use crate::error::{AppError, ErrorCode, FormFailure};
use crate::web::{Page, pager};

/// A form submission that did not go through: the form again (with messages) or an error page.
pub type Refused = Result<Page, AppError>;

fn form_page<K: Listing>(editing: Option<&str>, input: &K::Input, errors: &FieldErrors, status: HttpStatus) -> Page {
    let (title, action, form_page) = match editing {
        Some(id) => (format!("修改{}", K::WORDS.title), K::KIND.path(id), format!("{}/edit", K::KIND.path(id))),
        None => (format!("发布{}", K::WORDS.title), K::KIND.base().to_string(), format!("{}/new", K::KIND.base())),
    };
    let data = json!({
        "action": action,
        "form_page": form_page,
        "values": input,
        "choices": K::form_choices(input),
        "errors": errors,
        "editing": version_of::<K>(input).is_some(),
    });
    Page::new(K::KIND.template(SharedPage::Form), title, data).with_status(status)
}

pub async fn new_form<K: Listing>(
    db: &Db,
    acting: &Acting,
    settings: &Settings,
    kept: Option<K::Input>,
) -> Result<Page, AppError> {
    if !K::may_create(&acting.user) {
        return Err(lifecycle::cannot_create::<K>());
    }
    if let Some(input) = kept {
        return Ok(form_page::<K>(None, &input, &FieldErrors::new(), HttpStatus::Ok)
            .with_notice("info", crate::auth::drafts::RESTORED));
    }
    let region = match &acting.user.organisation_id {
        Some(org) => crate::orgs::store::find(db, org).await?.map(|o| o.region_code),
        None => None,
    };
    let input = K::blank_input(&acting.user, region.unwrap_or_else(|| settings.region_code.clone()));
    Ok(form_page::<K>(None, &input, &FieldErrors::new(), HttpStatus::Ok))
}

pub async fn create<K: Listing>(db: &Db, acting: &Acting, input: K::Input) -> Result<Flash<Redirect>, Refused> {
    match lifecycle::create::<K>(db, &acting.caller(), &input, None).await {
        Ok(created) => Ok(Flash::success(Redirect::to(K::KIND.path(&created.id)), K::WORDS.created)),
        Err(FormFailure::Fields(errors)) => {
            Err(Ok(form_page::<K>(None, &input, &errors, HttpStatus::UnprocessableEntity)))
        }
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

pub async fn edit_form<K: Listing>(
    db: &Db,
    acting: &Acting,
    id: Result<K::Id, uuid::Error>,
    kept: Option<K::Input>,
) -> Result<Page, AppError> {
    let id = lifecycle::known::<K>(id)?;
    let listing = lifecycle::visible::<K>(db, Some(&acting.user), id).await?;
    if !owns(&acting.user, &listing) {
        return Err(lifecycle::not_yours::<K>());
    }
    if let Some(input) = kept {
        let page = form_page::<K>(Some(&id.to_string()), &input, &FieldErrors::new(), HttpStatus::Ok);
        return Ok(page.with_notice("info", crate::auth::drafts::RESTORED));
    }
    Ok(form_page::<K>(Some(&id.to_string()), &K::input_of(&listing), &FieldErrors::new(), HttpStatus::Ok))
}

pub async fn update<K: Listing>(
    db: &Db,
    acting: &Acting,
    id: Result<K::Id, uuid::Error>,
    input: K::Input,
) -> Result<Flash<Redirect>, Refused> {
    let id = lifecycle::known::<K>(id).map_err(Err)?;
    let path = id.to_string();
    let back = Redirect::to(K::KIND.path(&path));
    match lifecycle::update::<K>(db, &acting.caller(), id, &input).await {
        Ok(status) if status == K::Status::SUBMITTED => Ok(Flash::success(back, K::WORDS.resubmitted)),
        Ok(_) => Ok(Flash::success(back, "修改已保存")),
        Err(FormFailure::Fields(errors)) => {
            Err(Ok(form_page::<K>(Some(&path), &input, &errors, HttpStatus::UnprocessableEntity)))
        }
        Err(FormFailure::Other(error)) if error.code == ErrorCode::EditConflict => {
            // Show the current content again, with the message, so nothing is applied blindly.
            let fresh = match lifecycle::visible::<K>(db, Some(&acting.user), id).await {
                Ok(listing) => K::input_of(&listing),
                Err(e) => return Err(Err(e)),
            };
            let page = form_page::<K>(Some(&path), &fresh, &FieldErrors::new(), HttpStatus::Conflict);
            Err(Ok(page.with_notice("error", error.message)))
        }
        Err(FormFailure::Other(error)) => Err(Err(error)),
    }
}

pub async fn act<K: Listing>(
    db: &Db,
    acting: &Acting,
    id: Result<K::Id, uuid::Error>,
    action: &str,
    note: Option<&str>,
) -> Result<Flash<Redirect>, AppError> {
    let id = lifecycle::known::<K>(id)?;
    let action = K::Action::from_code(action).ok_or_else(AppError::unknown_action)?;
    let back = Redirect::to(K::KIND.path(&id.to_string()));
    match lifecycle::act::<K>(db, &acting.caller(), id, action, note.unwrap_or_default()).await {
        Ok(to) => Ok(Flash::success(back, format!("已{}，当前状态：{}", action.label(), to.label()))),
        Err(error) if error.status == HttpStatus::Conflict || error.status == HttpStatus::UnprocessableEntity => {
            let message = error.fields.values().next().cloned().unwrap_or(error.message);
            Ok(Flash::error(back, message))
        }
        Err(error) => Err(error),
    }
}

pub async fn contact<K: Listing>(
    db: &Db,
    acting: &Acting,
    id: Result<K::Id, uuid::Error>,
    message: Option<&str>,
) -> Result<Flash<Redirect>, AppError> {
    let id = lifecycle::known::<K>(id)?;
    let back = Redirect::to(K::KIND.path(&id.to_string()));
    match lifecycle::request_contact::<K>(db, &acting.caller(), id, message.unwrap_or_default()).await {
        Ok(true) => Ok(Flash::success(back, K::WORDS.contact_sent)),
        Ok(false) => Ok(Flash::success(back, "您已发出过对接意向。")),
        Err(error) if error.status == HttpStatus::Conflict => Ok(Flash::error(back, error.message)),
        Err(error) => Err(error),
    }
}

pub async fn mine<K: Listing>(
    db: &Db,
    acting: &Acting,
    page: Option<i64>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let page = pager::page_number(page)?;
    let Some(org) = acting.user.organisation_id.clone() else {
        return Err(AppError::forbidden(ErrorCode::NoOrganisation, "您的账号未关联单位"));
    };
    let filter = ListFilter::<K> { organisation_id: Some(org.clone()), ..ListFilter::default() };
    let (rows, total) = store::list(db, &filter, &store::newest::<K>(), pager::offset(page), pager::PER_PAGE).await?;
    let open_requests = contacts::open_for_organisation(db, &org, Some(K::KIND)).await?;
    let data = json!({
        "items": rows.iter().map(|r| K::view(r, true)).collect::<Vec<_>>(),
        "open_requests": open_requests,
        "total": total,
        "pager": pager::pager(&format!("{}/mine", K::KIND.base()), page, total),
        "can_create": K::may_create(&acting.user),
    });
    Ok(Page::new(K::KIND.template(SharedPage::Mine), K::WORDS.mine_title, data).with_flash(flash))
}

pub async fn review<K: Listing>(db: &Db, page: Option<i64>, flash: Option<FlashMessage<'_>>) -> Result<Page, AppError> {
    let page = pager::page_number(page)?;
    let filter = ListFilter::<K> { statuses: vec![K::Status::SUBMITTED], ..ListFilter::default() };
    let (rows, total) = store::list(db, &filter, &store::newest::<K>(), pager::offset(page), pager::PER_PAGE).await?;
    let data = json!({
        "items": rows.iter().map(|r| K::view(r, true)).collect::<Vec<_>>(),
        "total": total,
        "pager": pager::pager(&format!("{}/review", K::KIND.base()), page, total),
    });
    Ok(Page::new(K::KIND.template(SharedPage::Review), K::WORDS.review_title, data).with_flash(flash))
}

/// Which lifecycle buttons the owner sees for a status.
pub fn owner_actions<K: Listing>(status: K::Status) -> Vec<Value> {
    K::Action::OWNER_BUTTONS
        .iter()
        .filter(|a| K::transition(status, **a).is_some())
        .map(|a| json!({"code": a.code(), "label": a.label(), "danger": a.is_danger()}))
        .collect()
}

/// What every detail page shows of a listing and who is looking: the listing, the owner's
/// buttons, review and 发起对接. The view is counted here (once per page view).
pub async fn detail_data<K: Listing>(
    db: &Db,
    user: Option<&CurrentUser>,
    listing: &K::Row,
    count_view: bool,
) -> Result<serde_json::Map<String, Value>, AppError> {
    if count_view {
        lifecycle::record_view::<K>(db, user, listing).await?;
    }
    let owner = user.is_some_and(|u| owns(u, listing));
    let admin = user.is_some_and(|u| u.is_admin);
    // The owner reads every request; a sender sees their own and the answer.
    let requests = if owner { contacts::for_listing(db, K::KIND, listing.id()).await? } else { Vec::new() };
    let my_request = match user {
        Some(u) if !owner => contacts::sent_about(db, K::KIND, listing.id(), &u.id).await?,
        _ => None,
    };
    let sees_contact = user.is_some_and(|u| u.sees_contacts());
    let status = listing.status();
    let data = json!({
        "item": K::view(listing, sees_contact),
        "signed_in": user.is_some(),
        "sees_contact": sees_contact,
        "owner": owner,
        "owner_actions": if owner { owner_actions::<K>(status) } else { Vec::new() },
        "can_edit": owner && status.is_editable(),
        "can_review": admin && status == K::Status::SUBMITTED,
        "can_contact": sees_contact && !owner && K::publicly_visible(listing),
        "asked": my_request.is_some(),
        "my_request": my_request,
        "contact_requests": requests,
        "can_reply": owner && sees_contact,
    });
    let Value::Object(map) = data else { unreachable!("a JSON object literal") };
    Ok(map)
}

/// Mounts the shared pages of a listing kind (`new`, create, edit, update, actions, 发起对接,
/// mine, review) in the calling module; `shared_routes()` lists them for `routes()`.
#[macro_export]
macro_rules! listing_pages {
    ($kind:ty) => {
        mod shared_pages {
            use super::*;
            use rocket::request::FlashMessage;
            use rocket::response::{Flash, Redirect};
            use rocket::{State, get, post};
            use $crate::auth::{Acting, AdminUser};
            use $crate::config::Settings;
            use $crate::db::Db;
            use $crate::error::AppError;

            use $crate::listings::pages::{self as shared, Refused};
            use $crate::web::Page;
            use $crate::web::input::Form;

            type Input = <$kind as $crate::listings::ListingKind>::Input;
            type Id = Result<<$kind as $crate::listings::ListingKind>::Id, uuid::Error>;

            #[derive(Debug, rocket::FromForm)]
            pub struct NoteForm {
                note: Option<String>,
                message: Option<String>,
            }

            #[get("/new?<draft>")]
            pub async fn new_form(
                acting: Acting,
                db: &State<Db>,
                settings: &State<Settings>,
                draft: Option<&str>,
            ) -> Result<Page, AppError> {
                let page = format!("{}/new", <$kind as $crate::listings::ListingKind>::KIND.base());
                let kept = $crate::auth::drafts::kept::<Input>(db, &acting.user.id, draft, &page).await?;
                shared::new_form::<$kind>(db, &acting, settings, kept).await
            }

            #[post("/", data = "<form>")]
            pub async fn create(form: Form<Input>, db: &State<Db>, acting: Acting) -> Result<Flash<Redirect>, Refused> {
                shared::create::<$kind>(db, &acting, form.into_inner()).await
            }

            #[get("/<id>/edit?<draft>")]
            pub async fn edit_form(
                id: Id,
                db: &State<Db>,
                acting: Acting,
                draft: Option<&str>,
            ) -> Result<Page, AppError> {
                let kept = match &id {
                    Ok(known) => {
                        let page =
                            format!("{}/edit", <$kind as $crate::listings::ListingKind>::KIND.path(&known.to_string()));
                        $crate::auth::drafts::kept::<Input>(db, &acting.user.id, draft, &page).await?
                    }
                    Err(_) => None,
                };
                shared::edit_form::<$kind>(db, &acting, id, kept).await
            }

            #[post("/<id>", data = "<form>")]
            pub async fn update(
                id: Id,
                form: Form<Input>,
                db: &State<Db>,
                acting: Acting,
            ) -> Result<Flash<Redirect>, Refused> {
                shared::update::<$kind>(db, &acting, id, form.into_inner()).await
            }

            #[post("/<id>/actions/<action>", data = "<form>")]
            pub async fn act(
                id: Id,
                action: &str,
                form: Form<NoteForm>,
                db: &State<Db>,
                acting: Acting,
            ) -> Result<Flash<Redirect>, AppError> {
                shared::act::<$kind>(db, &acting, id, action, form.note.as_deref()).await
            }

            #[post("/<id>/contact", data = "<form>")]
            pub async fn contact(
                id: Id,
                form: Form<NoteForm>,
                db: &State<Db>,
                acting: Acting,
            ) -> Result<Flash<Redirect>, AppError> {
                shared::contact::<$kind>(db, &acting, id, form.message.as_deref()).await
            }

            #[get("/mine?<page>")]
            pub async fn mine(
                db: &State<Db>,
                acting: Acting,
                page: Option<i64>,
                flash: Option<FlashMessage<'_>>,
            ) -> Result<Page, AppError> {
                shared::mine::<$kind>(db, &acting, page, flash).await
            }

            #[get("/review?<page>")]
            pub async fn review(
                db: &State<Db>,
                _admin: AdminUser,
                page: Option<i64>,
                flash: Option<FlashMessage<'_>>,
            ) -> Result<Page, AppError> {
                shared::review::<$kind>(db, page, flash).await
            }

            pub fn routes() -> Vec<rocket::Route> {
                rocket::routes![new_form, create, edit_form, update, act, contact, mine, review]
            }
        }
    };
}
